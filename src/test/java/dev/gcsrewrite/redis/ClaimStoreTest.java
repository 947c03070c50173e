package dev.gcsrewrite.redis;

import static dev.gcsrewrite.redis.ClaimDecision.Kind.CLAIMED;
import static dev.gcsrewrite.redis.ClaimDecision.Kind.DUPLICATE;
import static dev.gcsrewrite.redis.ClaimDecision.Kind.HELD_BY_ANOTHER_JOB;
import static dev.gcsrewrite.redis.ClaimDecision.Kind.OLDER_IN_FLIGHT;
import static dev.gcsrewrite.redis.ClaimDecision.Kind.REENTRANT;
import static dev.gcsrewrite.redis.ClaimDecision.Kind.SUPERSEDED;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.GenerationState.State;
import dev.gcsrewrite.testing.ClaimRecords;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;

/** The claim scripts against a real Redis: every outcome, leases, settling, releasing, restarts. */
public class ClaimStoreTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final ClaimSettings JOB_A =
      new ClaimSettings("job-a", Duration.standardMinutes(10), Duration.standardDays(7));
  private static final ClaimSettings JOB_B =
      new ClaimSettings("job-b", Duration.standardMinutes(10), Duration.standardDays(7));

  private ClaimStore store;
  private Jedis redis;
  private ClaimKeys keys;
  private ClaimRecords records;

  @Before
  public void openStore() throws Exception {
    RedisSettings settings = REDIS.settings(job.keyPrefix());
    store = ClaimStore.forPipeline(settings);
    // The scripts alone: claims that only their lease keeps, as if their keeper were frozen.
    FaultPoints.install((point, claim) -> point != FaultPoints.Point.RENEWING);
    keys = new ClaimKeys(settings.keyPrefix());
    records = job.records();
    redis = REDIS.client();
  }

  @After
  public void closeStore() throws Exception {
    FaultPoints.clear();
    store.close();
    redis.close();
  }

  @Test
  public void newGenerationIsClaimedWithARecordThatExpiresWithTheLease() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    ClaimDecision decision = claim(JOB_A, n);
    assertEquals(CLAIMED, decision.kind());
    assertEquals(1, decision.token());

    Map<String, String> record = redis.hgetAll(keys.generation("b", "o", 10));
    assertEquals("INPROGRESS", record.get("state"));
    assertEquals("job-a", record.get("owner"));
    assertEquals("1", record.get("token"));
    assertEquals("m1", record.get("messageId"));
    assertEquals("1", record.get("attempts"));
    long claimedAt = Long.parseLong(record.get("claimedAt"));
    assertEquals(claimedAt + 600_000, Long.parseLong(record.get("leaseUntil")));
    assertThat(
        redis.pttl(keys.generation("b", "o", 10)),
        allOf(greaterThan(590_000L), lessThanOrEqualTo(600_000L)));
    assertEquals(java.util.Set.of("10"), redis.smembers(keys.generations("b", "o")));
    Map<String, String> lock = redis.hgetAll(keys.lock("b", "o"));
    assertEquals("10", lock.get("generation"));
    assertEquals("job-a", lock.get("owner"));
    assertEquals("1", lock.get("token"));
  }

  @Test
  public void sameOwnerClaimingAgainIsReentrantWithItsToken() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    long token = claim(JOB_A, n).token();
    ClaimDecision again = claim(JOB_A, n);
    assertEquals(REENTRANT, again.kind());
    assertEquals(token, again.token());
    assertEquals("1", redis.hget(keys.generation("b", "o", 10), "attempts"));
  }

  @Test
  public void anotherOwnerWithALiveLeaseMeansElsewhereWithItsLeaseEnd() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    ClaimDecision decision = claim(JOB_B, n);
    assertEquals(HELD_BY_ANOTHER_JOB, decision.kind());
    assertEquals("job-a", decision.owner());
    assertEquals(
        Long.parseLong(redis.hget(keys.lock("b", "o"), "leaseUntil")), decision.leaseUntilMillis());
  }

  @Test
  public void endedLeaseIsTakenOverWithAGreaterToken() throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    long first = claim(shortLease("job-a"), n).token();
    assertEquals(HELD_BY_ANOTHER_JOB, claim(JOB_B, n).kind());
    records.awaitLeaseEnd("b", "o");
    ClaimDecision takeover = claim(JOB_B, n);
    assertEquals(CLAIMED, takeover.kind());
    assertEquals("job-a", takeover.owner());
    assertThat(takeover.token(), greaterThan(first));
    assertEquals("job-b", redis.hget(keys.generation("b", "o", 10), "owner"));
  }

  @Test
  public void liveLeaseOfAStoppedJobIsTakenOverAtOnceAndNoOtherOne() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    GcsNotification other = parsed("b", "p", 10, "m2");
    long first = claim(JOB_A, n).token();
    claim(JOB_B, other);
    ClaimSettings reconcile =
        new ClaimSettings(
            "reconcile",
            Duration.standardMinutes(1),
            Duration.standardDays(7),
            List.of("job-x", "job-a"));

    ClaimDecision takeover = claim(reconcile, n);
    assertEquals(CLAIMED, takeover.kind());
    assertEquals("job-a", takeover.owner());
    assertThat(takeover.token(), greaterThan(first));
    assertEquals("reconcile", redis.hget(keys.generation("b", "o", 10), "owner"));
    assertEquals(
        "job-b is not known to be stopped: its lease is waited out",
        HELD_BY_ANOTHER_JOB,
        claim(reconcile, other).kind());

    // An older generation a stopped job holds does not hold a newer one back either.
    claim(JOB_A, parsed("b", "q", 10, "m3"));
    assertEquals(CLAIMED, claim(reconcile, parsed("b", "q", 20, "m4")).kind());
  }

  @Test
  public void liveLeaseOfAJobNamedStoppedThatStillBeatsIsWaitedOutUntilItsBeatLapses()
      throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    ClaimSettings reconcile =
        new ClaimSettings(
            "reconcile", Duration.standardMinutes(1), Duration.standardDays(7), List.of("job-a"));
    RedisSettings settings = REDIS.settings(job.keyPrefix());
    try (JobHeartbeat running = JobHeartbeat.hold(settings, "job-a")) {
      Eventually.await(
          "job-a's first beat",
          java.time.Duration.ofSeconds(10),
          () -> redis.exists(keys.job("job-a")));

      assertEquals(HELD_BY_ANOTHER_JOB, claim(reconcile, n).kind());
    }
    // Its last worker gone, its beat lapses: at once here. A store asks at most once a period, a
    // new one at once.
    redis.del(keys.job("job-a"));
    try (ClaimStore later = ClaimStore.forPipeline(settings)) {
      ClaimDecision takeover = later.claim(List.of(n), reconcile).get(0);
      assertEquals(CLAIMED, takeover.kind());
      assertEquals("job-a", takeover.owner());
    }
  }

  @Test
  public void jobCannotNameItselfStopped() {
    assertThrows(IllegalArgumentException.class, () -> stopped(JOB_A, "job-a"));
    assertThrows(IllegalArgumentException.class, () -> stopped(JOB_A, "x,y"));
  }

  @Test
  public void newerGenerationWaitsBehindTheOlderOneInFlightThenGoesOn() {
    Claim older = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    GcsNotification newer = parsed("b", "o", 20, "m2");

    ClaimDecision behind = claim(JOB_A, newer);
    assertEquals(OLDER_IN_FLIGHT, behind.kind());
    assertEquals("10", behind.detail());
    assertEquals("job-a", behind.owner());
    // Another job's newer generation waits all the same.
    assertEquals(OLDER_IN_FLIGHT, claim(JOB_B, newer).kind());

    store.settle(List.of(complete(older)), JOB_A);
    ClaimDecision now = claim(JOB_B, newer);
    assertEquals(CLAIMED, now.kind());
    assertThat(now.token(), greaterThan(older.token()));
  }

  @Test
  public void olderGenerationAfterANewerOneWasClaimedIsSuperseded() {
    claimed(JOB_A, parsed("b", "o", 20, "m2"));

    ClaimDecision older = claim(JOB_B, parsed("b", "o", 10, "m1"));
    assertEquals(SUPERSEDED, older.kind());
    assertEquals("20", older.detail());
    assertEquals(Map.of(), redis.hgetAll(keys.generation("b", "o", 10)));
  }

  @Test
  public void settledGenerationIsADuplicateForEveryone() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    Claim claim = claimed(JOB_A, n);
    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertTrue(settled.settledNow());
    assertTrue(settled.completed());
    assertEquals(null, settled.repair());

    ClaimDecision again = claim(JOB_B, parsed("b", "o", 10, "m2"));
    assertEquals(DUPLICATE, again.kind());
    assertEquals("COMPLETED", again.detail());
    assertEquals(DUPLICATE, claim(JOB_A, n).kind());

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
    // The object is free again: the lock names no generation.
    assertEquals(null, redis.hget(keys.lock("b", "o"), "generation"));
  }

  @Test
  public void settlingTwiceChangesNothing() {
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    assertTrue(store.settle(List.of(complete(claim)), JOB_A).get(0).settledNow());
    String completedAt = redis.hget(keys.generation("b", "o", 10), "completedAt");
    Settlement again = store.settle(List.of(complete(claim)), JOB_B).get(0);
    assertEquals(false, again.settledNow());
    assertEquals("COMPLETED", again.state());
    assertEquals(completedAt, redis.hget(keys.generation("b", "o", 10), "completedAt"));
    assertEquals("job-a", redis.hget(keys.generation("b", "o", 10), "settledBy"));
  }

  @Test
  public void olderGenerationAfterNewerCompletedIsSuperseded() {
    Claim newer = claimed(JOB_A, parsed("b", "o", 20, "m2"));
    store.settle(List.of(complete(newer)), JOB_A);

    ClaimDecision older = claim(JOB_A, parsed("b", "o", 10, "m1"));
    assertEquals(SUPERSEDED, older.kind());
    assertEquals("20", older.detail());
  }

  @Test
  public void staleWriterSettlingAfterANewerCompletedIsSkippedAndTheNewerIsRepaired()
      throws Exception {
    // Job A writes generation 10, stalls past its lease; job B claims 20, writes and settles it.
    Claim stale = claimed(shortLease("job-a"), parsed("b", "o", 10, "m1"));
    records.awaitLeaseEnd("b", "o");
    Claim newer = claimed(JOB_B, parsed("b", "o", 20, "m2"));
    store.settle(List.of(complete(newer)), JOB_B);

    // A's rename lands late, and A settles: its write may be over 20's output.
    Settlement late = store.settle(List.of(complete(stale)), JOB_A).get(0);
    assertTrue(late.settledNow());
    assertEquals("SKIPPED", late.state());
    assertEquals("superseded", late.detail());
    assertEquals(Long.valueOf(20), late.repair());
    assertEquals("20", redis.hget(keys.latest("b", "o"), "generation"));
    assertEquals("SKIPPED", redis.hget(keys.generation("b", "o", 10), "state"));
  }

  @Test
  public void staleWriterSettlingWhileTheNewerIsInFlightMakesTheNewerWriteAgain() throws Exception {
    Claim stale = claimed(shortLease("job-a"), parsed("b", "o", 10, "m1"));
    records.awaitLeaseEnd("b", "o");
    Claim newer = claimed(JOB_B, parsed("b", "o", 20, "m2"));

    // A settles first (nothing newer completed yet), while B's rename may already have landed.
    Settlement late = store.settle(List.of(complete(stale)), JOB_A).get(0);
    assertEquals("COMPLETED", late.state());
    assertEquals(null, late.repair());
    assertEquals("20", redis.hget(keys.lock("b", "o"), "generation"));
    assertEquals("1", redis.hget(keys.lock("b", "o"), "dirty"));

    Settlement holder = store.settle(List.of(complete(newer)), JOB_B).get(0);
    assertEquals("COMPLETED", holder.state());
    assertEquals("the holder writes its own output again", Long.valueOf(20), holder.repair());
    assertEquals("20", redis.hget(keys.latest("b", "o"), "generation"));
  }

  @Test
  public void renewedLeaseOutlastsItsLengthAndAStaleTokenRenewsNothing() throws Exception {
    ClaimSettings lease =
        new ClaimSettings("job-a", Duration.standardSeconds(2), Duration.standardDays(7));
    Claim held = claimed(lease, parsed("b", "o", 10, "m1"));
    long firstLeaseEnd = Long.parseLong(records.lock("b", "o").get("leaseUntil"));
    assertTrue(store.renew(held, Duration.standardMinutes(1)));
    records.awaitRedisTime(firstLeaseEnd + 1);
    // Past the end of the lease it was claimed with: still held, by the renewal.
    assertEquals(HELD_BY_ANOTHER_JOB, claim(JOB_B, held.notification()).kind());

    assertTrue(store.renew(held, Duration.millis(300)));
    records.awaitLeaseEnd("b", "o");
    Claim takeover = claimed(JOB_B, held.notification());
    assertEquals(false, store.renew(held, lease.lease()));
    assertEquals(String.valueOf(takeover.token()), redis.hget(keys.lock("b", "o"), "token"));
  }

  @Test
  public void settlingWithAStaleTokenLeavesTheHoldersLockAlone() throws Exception {
    Claim stale = claimed(shortLease("job-a"), parsed("b", "o", 10, "m1"));
    records.awaitLeaseEnd("b", "o");
    Claim holder = claimed(JOB_B, stale.notification());

    store.settle(List.of(complete(stale)), JOB_A);
    assertEquals(String.valueOf(holder.token()), redis.hget(keys.lock("b", "o"), "token"));
    assertEquals(List.of(new ClaimStore.Released(false, false)), store.release(List.of(stale)));
    assertEquals(String.valueOf(holder.token()), redis.hget(keys.lock("b", "o"), "token"));
  }

  @Test
  public void vanishedSourceWithNoOutputKeepsTheLockForTheCleanup() {
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    store.recordReadResult(claim.notification(), "vanished:empty", JOB_A.retention());

    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertEquals("SKIPPED", settled.state());
    assertEquals("sourceVanished", settled.detail());
    assertTrue(settled.cleanup());
    assertEquals(Map.of(), redis.hgetAll(keys.latest("b", "o")));
    assertEquals("10", redis.hget(keys.lock("b", "o"), "generation"));

    assertEquals(false, store.releaseLock(claim));
    assertEquals(null, redis.hget(keys.lock("b", "o"), "generation"));
    assertEquals("SKIPPED", redis.hget(keys.generation("b", "o", 10), "state"));
  }

  @Test
  public void contentThatWasNotTheNotifiedGenerationsIsNeverCompleted() {
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    store.recordReadResult(
        claim.notification(), "changed:read CRC32C x, the notification says y", JOB_A.retention());

    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertEquals("SKIPPED", settled.state());
    assertEquals("sourceChanged", settled.detail());
    assertEquals(false, settled.cleanup());
    assertEquals(null, redis.hget(keys.lock("b", "o"), "generation"));
  }

  @Test
  public void partialOutputOverACompletedGenerationAsksForItsRepair() {
    store.settle(List.of(complete(claimed(JOB_A, parsed("b", "o", 5, "m0")))), JOB_A);
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    store.recordReadResult(claim.notification(), "vanished:partial", JOB_A.retention());

    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertEquals("SKIPPED", settled.state());
    assertEquals("sourceVanished", settled.detail());
    assertEquals(Long.valueOf(5), settled.repair());
    assertEquals(false, settled.cleanup());
    assertEquals("5", redis.hget(keys.latest("b", "o"), "generation"));
    assertEquals("lock free for the repair", null, redis.hget(keys.lock("b", "o"), "generation"));
  }

  @Test
  public void partialOutputWithNothingCompletedIsCleanedUpUnderTheLock() {
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    store.recordReadResult(
        claim.notification(),
        "changed:partial:generation changed mid-read: 412",
        JOB_A.retention());

    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertEquals("SKIPPED", settled.state());
    assertEquals("sourceChanged", settled.detail());
    assertEquals(null, settled.repair());
    assertTrue(settled.cleanup());
    assertEquals("10", redis.hget(keys.lock("b", "o"), "generation"));
  }

  @Test
  public void unreadableSourceFailsItsClaimOnceAndLeavesItForAReplay() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    Claim claim = claimed(JOB_A, n);
    String why = "cannot read gs://b/o#10: 400 resourceIsEncryptedWithCustomerEncryptionKey: x";
    store.recordReadResult(n, "unreadable:preserved:" + why, JOB_A.retention());

    Settlement settled = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertTrue(settled.settledNow());
    assertTrue(settled.unreadable());
    assertEquals(why, settled.detail());
    assertEquals(false, settled.cleanup());
    assertEquals(Map.of(), redis.hgetAll(keys.latest("b", "o")));
    assertEquals(null, redis.hget(keys.lock("b", "o"), "generation"));

    Settlement again = store.settle(List.of(complete(claim)), JOB_A).get(0);
    assertEquals("a retried bundle changes nothing", false, again.settledNow());
    assertTrue(again.unreadable());
    assertEquals(why, again.detail());
    assertEquals("FAILED", redis.hget(keys.generation("b", "o", 10), "state"));

    assertEquals(CLAIMED, claim(JOB_A, parsed("b", "o", 10, "replay")).kind());
  }

  @Test
  public void repairTakesTheFreeLockForTheLatestCompletedAndMarksABusyOneDirty() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    assertEquals("nothing completed yet", null, store.repair(n, JOB_A));
    store.settle(List.of(complete(claimed(JOB_A, n))), JOB_A);

    ClaimStore.Held repair = store.repair(parsed("b", "o", 5, "any"), JOB_A);
    assertEquals(10, repair.notification().generation());
    assertEquals("10", redis.hget(keys.lock("b", "o"), "generation"));
    assertEquals("busy: marked dirty", null, store.repair(n, JOB_B));
    assertEquals(true, store.releaseLock(repair));
    assertEquals(null, redis.hget(keys.lock("b", "o"), "generation"));
  }

  @Test
  public void generationsBeyondTheExactRangeOfALuaNumberCompareExactly() {
    // 2^53 + 1 and 2^53 are the same double; as 64-bit generations they differ.
    Claim newer = claimed(JOB_A, parsed("b", "o", 9007199254740993L, "m2"));
    store.settle(List.of(complete(newer)), JOB_A);
    assertEquals(SUPERSEDED, claim(JOB_A, parsed("b", "o", 9007199254740992L, "m1")).kind());
    assertEquals(CLAIMED, claim(JOB_A, parsed("b", "o", 9007199254740994L, "m3")).kind());
  }

  @Test
  public void skippedGenerationIsSettledButDoesNotMoveTheLatest() {
    Claim claim = claimed(JOB_A, parsed("b", "o", 10, "m1"));
    store.settle(List.of(Outcome.skipped(claim, Outcome.SOURCE_MISSING)), JOB_A);

    assertEquals("SKIPPED", redis.hget(keys.generation("b", "o", 10), "state"));
    assertEquals("sourceMissing", redis.hget(keys.generation("b", "o", 10), "reason"));
    assertEquals(Map.of(), redis.hgetAll(keys.latest("b", "o")));
    assertEquals(DUPLICATE, claim(JOB_B, claim.notification()).kind());
  }

  @Test
  public void settlingAfterTheLeaseRanOutStillRecordsTheWork() throws Exception {
    Claim claim =
        claimed(
            new ClaimSettings("job-a", Duration.millis(200), Duration.standardDays(7)),
            parsed("b", "o", 10, "m1"));
    // The INPROGRESS record expires with its lease.
    Eventually.await(
        "the record to expire with the lease",
        java.time.Duration.ofSeconds(30),
        () -> !redis.exists(keys.generation("b", "o", 10)));

    assertTrue(store.settle(List.of(complete(claim)), JOB_A).get(0).completed());
    Map<String, String> record = redis.hgetAll(keys.generation("b", "o", 10));
    assertEquals("COMPLETED", record.get("state"));
    assertEquals("job-a", record.get("owner"));
    assertEquals("m1", record.get("messageId"));
  }

  @Test
  public void releaseFreesOnlyTheClaimsOwnTokenInProgress() {
    GcsNotification n = parsed("b", "o", 10, "m1");
    Claim claim = claimed(JOB_A, n);
    assertEquals(
        List.of(new ClaimStore.Released(false, false)),
        store.release(List.of(new Claim(n, claim.token() + 7))));
    assertEquals(List.of(new ClaimStore.Released(true, false)), store.release(List.of(claim)));
    assertEquals(CLAIMED, claim(JOB_B, n).kind());

    Claim settled = claimed(JOB_A, parsed("b", "o2", 11, "m2"));
    store.settle(List.of(complete(settled)), JOB_A);
    assertEquals(List.of(new ClaimStore.Released(false, false)), store.release(List.of(settled)));
    assertEquals("COMPLETED", redis.hget(keys.generation("b", "o2", 11), "state"));
  }

  @Test
  public void statesReadEveryKindOfRecordWithoutRunningAScript() {
    Claim done = claimed(JOB_A, parsed("b", "done", 10, "m1"));
    store.settle(List.of(complete(done)), JOB_A);
    store.announce(List.of(keys.generation("b", "done", 10)), System.currentTimeMillis());
    Claim gone = claimed(JOB_A, parsed("b", "gone", 10, "m2"));
    store.settle(List.of(Outcome.skipped(gone, Outcome.SOURCE_MISSING)), JOB_A);
    claimed(JOB_B, parsed("b", "busy", 10, "m3"));
    long scripts = REDIS.commandCalls().getOrDefault("evalsha", 0L);

    List<GenerationState> states =
        store.states(
            List.of(
                new GenerationState.Generation("b", "done", 10),
                new GenerationState.Generation("b", "gone", 10),
                new GenerationState.Generation("b", "busy", 10),
                new GenerationState.Generation("b", "done", 9),
                new GenerationState.Generation("b", "new", 1)));

    assertEquals(
        List.of(
            new GenerationState(State.COMPLETED, "gs://out/done.processed", true),
            new GenerationState(State.SKIPPED, "sourceMissing", false),
            new GenerationState(State.IN_FLIGHT, "job-b", false),
            new GenerationState(State.SKIPPED, "superseded by generation 10", false),
            new GenerationState(State.UNCLAIMED, "", false)),
        states);
    assertEquals(scripts, (long) REDIS.commandCalls().getOrDefault("evalsha", 0L));
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
      assertEquals(i == 7 ? HELD_BY_ANOTHER_JOB : CLAIMED, decisions.get(i).kind());
    }
  }

  @Test
  public void scriptsAreLoadedAgainWhenRedisHasForgottenThem() {
    claim(JOB_A, parsed("b", "o", 1, "m1"));
    redis.scriptFlush();
    assertEquals(CLAIMED, claim(JOB_A, parsed("b", "another", 2, "m2")).kind());
  }

  @Test
  public void keyPrefixesKeepDeploymentsApart() throws Exception {
    GcsNotification n = parsed("b", "o", 10, "m1");
    claim(JOB_A, n);
    try (ClaimStore other = ClaimStore.forPipeline(REDIS.settings("other-deployment:"))) {
      assertEquals(CLAIMED, other.claim(List.of(n), JOB_B).get(0).kind());
    }
  }

  @Test
  public void callsWaitForRedisToComeBackAndThenSucceed() throws Exception {
    REDIS.stop();
    MetricsContainerImpl metrics = new MetricsContainerImpl("claim");
    CompletableFuture<ClaimDecision> pending =
        CompletableFuture.supplyAsync(
            () -> {
              try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(metrics)) {
                return claim(JOB_A, parsed("b", "o", 10, "m1"));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Eventually.await(
        "the claim to fail against the stopped Redis and be retried twice",
        java.time.Duration.ofSeconds(30),
        () -> retries(metrics) >= 2);
    assertEquals("still waiting for Redis", false, pending.isDone());
    REDIS.start();
    assertEquals(CLAIMED, pending.get(60, TimeUnit.SECONDS).kind());
    try (Jedis fresh = REDIS.client()) {
      assertEquals("INPROGRESS", fresh.hget(keys.generation("b", "o", 10), "state"));
    }
  }

  @Test
  public void commandLineStoreReportsAnUnreachableRedisAtOnce() {
    RedisSettings nowhere = new RedisSettings("127.0.0.1", 1, false, null, null, "x:", false);
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

  private static long retries(MetricsContainerImpl metrics) {
    return metrics
        .getCounter(MetricName.named(PipelineMetrics.NAMESPACE, "redisRetries"))
        .getCumulative();
  }

  private ClaimDecision claim(ClaimSettings claimSettings, GcsNotification n) {
    return store.claim(List.of(n), claimSettings).get(0);
  }

  /** Claims {@code n}, which must succeed, and returns the claim with its token. */
  private Claim claimed(ClaimSettings claimSettings, GcsNotification n) {
    ClaimDecision decision = claim(claimSettings, n);
    assertTrue(decision.toString(), decision.kind() == CLAIMED || decision.kind() == REENTRANT);
    return new Claim(n, decision.token());
  }

  private static ClaimSettings stopped(ClaimSettings job, String stopped) {
    return new ClaimSettings(job.owner(), job.lease(), job.retention(), List.of(stopped));
  }

  private static ClaimSettings shortLease(String owner) {
    return new ClaimSettings(owner, Duration.millis(300), Duration.standardDays(7));
  }

  private static Outcome complete(Claim claim) {
    return Outcome.complete(
        claim, "gs://out/" + claim.notification().objectId() + ".processed", 42);
  }
}
