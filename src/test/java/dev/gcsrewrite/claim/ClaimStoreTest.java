package dev.gcsrewrite.claim;

import static dev.gcsrewrite.claim.ClaimOutcome.CLAIMED;
import static dev.gcsrewrite.claim.ClaimOutcome.DUPLICATE;
import static dev.gcsrewrite.claim.ClaimOutcome.ELSEWHERE;
import static dev.gcsrewrite.claim.ClaimOutcome.REENTRANT;
import static dev.gcsrewrite.claim.ClaimOutcome.SUPERSEDED;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.Outcome;
import dev.gcsrewrite.testing.LocalRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import redis.clients.jedis.Jedis;

/** The claim scripts against a real Redis: every outcome, leases, settling, releasing, restarts. */
public class ClaimStoreTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestName test = new TestName();

  private static final ClaimSettings JOB_A =
      new ClaimSettings("job-a", Duration.standardMinutes(10), Duration.standardDays(7));
  private static final ClaimSettings JOB_B =
      new ClaimSettings("job-b", Duration.standardMinutes(10), Duration.standardDays(7));

  private ClaimStore store;
  private Jedis redis;
  private ClaimKeys keys;

  @Before
  public void openStore() throws Exception {
    RedisSettings settings = REDIS.settings(test.getMethodName() + ":");
    store = ClaimStore.forPipeline(settings);
    keys = new ClaimKeys(settings.keyPrefix());
    redis = REDIS.client();
  }

  @After
  public void closeStore() throws Exception {
    store.close();
    redis.close();
  }

  @Test
  public void newGenerationIsClaimedWithARecordThatExpiresWithTheLease() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    assertEquals(CLAIMED, claim(JOB_A, n).outcome());

    Map<String, String> record = redis.hgetAll(keys.generation("b", "o", 10));
    assertEquals("INPROGRESS", record.get("state"));
    assertEquals("job-a", record.get("owner"));
    assertEquals("m1", record.get("messageId"));
    assertEquals("1", record.get("attempts"));
    long claimedAt = Long.parseLong(record.get("claimedAt"));
    assertEquals(claimedAt + 600_000, Long.parseLong(record.get("leaseUntil")));
    assertThat(
        redis.pttl(keys.generation("b", "o", 10)),
        allOf(greaterThan(590_000L), lessThanOrEqualTo(600_000L)));
    assertEquals(java.util.Set.of("10"), redis.smembers(keys.generations("b", "o")));
  }

  @Test
  public void sameOwnerClaimingAgainIsReentrant() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    assertEquals(REENTRANT, claim(JOB_A, n).outcome());
    assertEquals("1", redis.hget(keys.generation("b", "o", 10), "attempts"));
  }

  @Test
  public void anotherOwnerWithALiveLeaseMeansElsewhereWithItsLeaseEnd() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    ClaimDecision decision = claim(JOB_B, n);
    assertEquals(ELSEWHERE, decision.outcome());
    assertEquals("job-a", decision.owner());
    assertEquals(
        Long.parseLong(redis.hget(keys.generation("b", "o", 10), "leaseUntil")),
        decision.leaseUntilMillis());
  }

  @Test
  public void endedLeaseIsTakenOverByAnotherOwner() throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    ClaimSettings shortLease =
        new ClaimSettings("job-a", Duration.millis(300), Duration.standardDays(7));
    claim(shortLease, n);
    assertEquals(ELSEWHERE, claim(JOB_B, n).outcome());
    Thread.sleep(600);
    assertEquals(CLAIMED, claim(JOB_B, n).outcome());
    assertEquals("job-b", redis.hget(keys.generation("b", "o", 10), "owner"));
  }

  @Test
  public void settledGenerationIsADuplicateForEveryone() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    assertEquals(List.of(StoreWrite.CHANGED), store.settle(List.of(complete(n)), JOB_A));

    ClaimDecision again = claim(JOB_B, parsed("b", "o", 10, "m2"));
    assertEquals(DUPLICATE, again.outcome());
    assertEquals("COMPLETED", again.detail());
    assertEquals(DUPLICATE, claim(JOB_A, n).outcome());

    Map<String, String> record = redis.hgetAll(keys.generation("b", "o", 10));
    assertEquals("COMPLETED", record.get("state"));
    assertEquals("gs://out/o.processed", record.get("outputUri"));
    assertEquals("job-a", record.get("settledBy"));
    assertEquals(null, record.get("leaseUntil"));
    assertThat(
        redis.pttl(keys.generation("b", "o", 10)),
        allOf(
            greaterThan(Duration.standardDays(7).getMillis() - 10_000),
            lessThanOrEqualTo(Duration.standardDays(7).getMillis())));
  }

  @Test
  public void settlingTwiceChangesNothing() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    assertEquals(List.of(StoreWrite.CHANGED), store.settle(List.of(complete(n)), JOB_A));
    String completedAt = redis.hget(keys.generation("b", "o", 10), "completedAt");
    assertEquals(List.of(StoreWrite.UNCHANGED), store.settle(List.of(complete(n)), JOB_B));
    assertEquals(completedAt, redis.hget(keys.generation("b", "o", 10), "completedAt"));
    assertEquals("job-a", redis.hget(keys.generation("b", "o", 10), "settledBy"));
  }

  @Test
  public void olderGenerationAfterNewerIsSuperseded() {
    GcsNotification newer = parsed("b", "o", 20, "m2");
    claim(JOB_A, newer);
    store.settle(List.of(complete(newer)), JOB_A);

    ClaimDecision older = claim(JOB_A, parsed("b", "o", 10, "m1"));
    assertEquals(SUPERSEDED, older.outcome());
    assertEquals("20", older.detail());
    assertEquals(Map.of(), redis.hgetAll(keys.generation("b", "o", 10)));
  }

  @Test
  public void latestCompletedGenerationNeverMovesBack() {
    GcsNotification older = parsed("b", "o", 10, "m1");
    GcsNotification newer = parsed("b", "o", 20, "m2");
    claim(JOB_A, older);
    claim(JOB_A, newer);
    store.settle(List.of(complete(newer)), JOB_A);
    store.settle(List.of(complete(older)), JOB_A);

    assertEquals("20", redis.hget(keys.latest("b", "o"), "generation"));
    assertEquals("COMPLETED", redis.hget(keys.generation("b", "o", 10), "state"));
  }

  @Test
  public void generationsBeyondTheExactRangeOfALuaNumberCompareExactly() {
    // 2^53 + 1 and 2^53 are the same double; as 64-bit generations they differ.
    GcsNotification newer = parsed("b", "o", 9007199254740993L, "m2");
    claim(JOB_A, newer);
    store.settle(List.of(complete(newer)), JOB_A);
    assertEquals(SUPERSEDED, claim(JOB_A, parsed("b", "o", 9007199254740992L, "m1")).outcome());
    assertEquals(CLAIMED, claim(JOB_A, parsed("b", "o", 9007199254740994L, "m3")).outcome());
  }

  @Test
  public void skippedGenerationIsSettledButDoesNotMoveTheLatest() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    store.settle(List.of(Outcome.skipped(n, Outcome.SOURCE_MISSING)), JOB_A);

    assertEquals("SKIPPED", redis.hget(keys.generation("b", "o", 10), "state"));
    assertEquals("sourceMissing", redis.hget(keys.generation("b", "o", 10), "reason"));
    assertEquals(Map.of(), redis.hgetAll(keys.latest("b", "o")));
    assertEquals(DUPLICATE, claim(JOB_B, n).outcome());
  }

  @Test
  public void settlingAfterTheLeaseRanOutStillRecordsTheWork() throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(new ClaimSettings("job-a", Duration.millis(200), Duration.standardDays(7)), n);
    Thread.sleep(400);
    assertEquals(Map.of(), redis.hgetAll(keys.generation("b", "o", 10)));

    assertEquals(List.of(StoreWrite.CHANGED), store.settle(List.of(complete(n)), JOB_A));
    Map<String, String> record = redis.hgetAll(keys.generation("b", "o", 10));
    assertEquals("COMPLETED", record.get("state"));
    assertEquals("job-a", record.get("owner"));
    assertEquals("m1", record.get("messageId"));
  }

  @Test
  public void releaseFreesOnlyTheOwnersClaimInProgress() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    assertEquals(List.of(StoreWrite.UNCHANGED), store.release(List.of(n), "job-b"));
    assertEquals(List.of(StoreWrite.CHANGED), store.release(List.of(n), "job-a"));
    assertEquals(CLAIMED, claim(JOB_B, n).outcome());

    GcsNotification settled = parsed("b", "o", 11, "m2");
    claim(JOB_A, settled);
    store.settle(List.of(complete(settled)), JOB_A);
    assertEquals(List.of(StoreWrite.UNCHANGED), store.release(List.of(settled), "job-a"));
    assertEquals("COMPLETED", redis.hget(keys.generation("b", "o", 11), "state"));
  }

  @Test
  public void aBatchIsDecidedElementByElementInOneRoundTrip() {
    List<GcsNotification> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(parsed("b", "o" + i, 1, "m" + i));
    }
    claim(JOB_B, batch.get(7));
    long before = REDIS.commandCalls().getOrDefault("evalsha", 0L);
    long roundTripsBefore = store.roundTrips();

    List<ClaimDecision> decisions = store.claim(batch, JOB_A);

    assertEquals(50, REDIS.commandCalls().get("evalsha") - before);
    assertEquals("the whole batch in one round trip", 1, store.roundTrips() - roundTripsBefore);
    for (int i = 0; i < 50; i++) {
      assertEquals(i == 7 ? ELSEWHERE : CLAIMED, decisions.get(i).outcome());
    }
  }

  @Test
  public void scriptsAreLoadedAgainWhenRedisHasForgottenThem() {
    claim(JOB_A, parsed("b", "o", 1, "m1"));
    redis.scriptFlush();
    assertEquals(CLAIMED, claim(JOB_A, parsed("b", "o", 2, "m2")).outcome());
  }

  @Test
  public void keyPrefixesKeepDeploymentsApart() throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    try (ClaimStore other = ClaimStore.forPipeline(REDIS.settings("other-deployment:"))) {
      assertEquals(CLAIMED, other.claim(List.of(n), JOB_B).get(0).outcome());
    }
  }

  @Test
  public void callsWaitForRedisToComeBackAndThenSucceed() throws Exception {
    REDIS.stop();
    CompletableFuture<ClaimDecision> pending =
        CompletableFuture.supplyAsync(() -> claim(JOB_A, parsed("b", "o", 10, "m1")));
    Thread.sleep(1500);
    assertEquals("still waiting for Redis", false, pending.isDone());
    REDIS.start();
    assertEquals(CLAIMED, pending.get(60, TimeUnit.SECONDS).outcome());
    try (Jedis fresh = REDIS.client()) {
      assertEquals("INPROGRESS", fresh.hget(keys.generation("b", "o", 10), "state"));
    }
  }

  @Test
  public void commandLineStoreReportsAnUnreachableRedisAtOnce() {
    RedisSettings nowhere = new RedisSettings("127.0.0.1", 1, false, null, null, "x:");
    RedisUnavailableException e =
        assertThrows(
            RedisUnavailableException.class,
            () -> {
              try (ClaimStore once = ClaimStore.forCommand(nowhere)) {
                once.status("b", "o", null);
              }
            });
    assertTrue(e.getMessage(), e.getMessage().startsWith("Redis status failed: "));
  }

  private ClaimDecision claim(ClaimSettings policy, GcsNotification n) {
    return store.claim(List.of(n), policy).get(0);
  }

  private static Outcome complete(GcsNotification n) {
    return Outcome.complete(n, "gs://out/" + n.objectId() + ".processed", 42);
  }
}
