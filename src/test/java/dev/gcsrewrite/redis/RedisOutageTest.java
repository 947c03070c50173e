package dev.gcsrewrite.redis;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Redis unable to serve anyone for a while, made real on a server of the test's own: full under
 * {@code noeviction}, read-only as a replica is during a failover, busy with a long script. A claim
 * or a settlement waits and retries until Redis serves again, then ends as it would have; none of
 * them becomes one element's failure (a dead letter). A record of the wrong kind is the one failure
 * that belongs to its element, and says which key holds what.
 */
public class RedisOutageTest {
  private static final ClaimSettings JOB =
      new ClaimSettings("job-a", Duration.standardMinutes(10), Duration.standardDays(7));
  private static final java.time.Duration PATIENCE = java.time.Duration.ofSeconds(30);

  @Rule public final LocalRedis redis = new LocalRedis();
  @Rule public final TestJob job = new TestJob(redis);

  private ClaimStore store;
  private Jedis admin;

  @Before
  public void openStore() throws Exception {
    store = ClaimStore.forPipeline(redis.settings(job.keyPrefix()));
    admin = redis.client();
    // The scripts loaded, and a first claim made, while Redis is well.
    assertEquals(ClaimDecision.Kind.CLAIMED, claim(parsed("b", "warm", 1, "m0")).kind());
  }

  @After
  public void closeStore() {
    store.close();
    admin.close();
  }

  @Test
  public void claimWhileRedisIsFullWaitsThenClaims() throws Exception {
    admin.configSet("maxmemory-policy", "noeviction");
    admin.configSet("maxmemory", "1");

    CompletableFuture<ClaimDecision> claim = waiting(() -> claim(parsed("b", "o", 10, "m1")));

    admin.configSet("maxmemory", "0");
    assertEquals(
        ClaimDecision.Kind.CLAIMED, claim.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).kind());
    assertEquals("INPROGRESS", state("o", 10));
  }

  @Test
  public void settlementWhileRedisIsFullWaitsThenSettles() throws Exception {
    ClaimDecision decision = claim(parsed("b", "o", 10, "m1"));
    Claim claim = new Claim(parsed("b", "o", 10, "m1"), decision.token());
    admin.configSet("maxmemory-policy", "noeviction");
    admin.configSet("maxmemory", "1");

    CompletableFuture<Settlement> settled =
        waiting(
                () ->
                    store.settle(List.of(Outcome.complete(claim, "gs://out/o.processed", 42)), JOB))
            .thenApply(all -> all.get(0));

    admin.configSet("maxmemory", "0");
    Settlement settlement = settled.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    assertTrue(settlement.toString(), settlement.settledNow() && settlement.completed());
    assertEquals("COMPLETED", state("o", 10));
  }

  @Test
  public void claimWhileRedisIsAReadOnlyReplicaWaitsThenClaims() throws Exception {
    // A replica of a primary that is gone, as during a failover: it answers reads, refuses writes.
    admin.replicaof("127.0.0.1", Ports.free());

    CompletableFuture<ClaimDecision> claim = waiting(() -> claim(parsed("b", "o", 10, "m1")));

    admin.replicaofNoOne();
    assertEquals(
        ClaimDecision.Kind.CLAIMED, claim.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).kind());
    assertEquals("INPROGRESS", state("o", 10));
  }

  @Test
  public void claimWhileRedisRunsALongScriptWaitsThenClaims() throws Exception {
    admin.configSet("lua-time-limit", "50");
    Jedis busy = redis.client();
    CompletableFuture<Void> longScript =
        CompletableFuture.runAsync(
            () -> {
              try {
                busy.eval("local n = 0 while true do n = n + 1 end");
              } catch (JedisDataException killed) {
                // SCRIPT KILL ends it with an error: expected.
              }
            });
    Eventually.await("Redis answers BUSY", PATIENCE, () -> busyReply(admin));

    CompletableFuture<ClaimDecision> claim = waiting(() -> claim(parsed("b", "o", 10, "m1")));

    admin.scriptKill();
    longScript.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    busy.close();
    assertEquals(
        ClaimDecision.Kind.CLAIMED, claim.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).kind());
  }

  @Test
  public void recordOfTheWrongKindFailsThatElementAloneAndSaysWhichKeyHoldsWhat() {
    ClaimKeys keys = new ClaimKeys(job.keyPrefix());
    // Someone wrote a hash where the object's set of generations belongs.
    admin.hset(keys.generations("b", "broken"), "not", "a set");

    List<ClaimDecision> decisions =
        store.claim(List.of(parsed("b", "broken", 10, "m1"), parsed("b", "fine", 10, "m2")), JOB);

    assertEquals(ClaimDecision.Kind.FAILED, decisions.get(0).kind());
    assertThat(
        decisions.get(0).detail(),
        startsWith("UNUSABLE " + keys.generations("b", "broken") + " holds a hash, not a set"));
    assertEquals(ClaimDecision.Kind.CLAIMED, decisions.get(1).kind());
  }

  @Test
  public void errorsAreSortedByTheirCodeAsRedis6WrapsThemAndRedis7SendsThem() {
    Map<String, RedisCalls.Failure> replies =
        Map.of(
            // Redis 7: the code first, where the script was after it.
            "OOM command not allowed when used memory > 'maxmemory'. script: 5a1f, on"
                + " @user_script:94.",
            RedisCalls.Failure.OUTAGE,
            "READONLY You can't write against a read only replica. script: 5a1f, on"
                + " @user_script:41.",
            RedisCalls.Failure.OUTAGE,
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to"
                + " persist to disk.",
            RedisCalls.Failure.OUTAGE,
            "LOADING Redis is loading the dataset in memory",
            RedisCalls.Failure.OUTAGE,
            // Redis 6: the error raised inside the script, wrapped.
            "ERR Error running script (call to f_5a1f): @user_script:90: @user_script: 90:"
                + " -MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to"
                + " 'no'.",
            RedisCalls.Failure.OUTAGE,
            "UNUSABLE p:gens:{b/o} holds a hash, not a set",
            RedisCalls.Failure.ELEMENT,
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            RedisCalls.Failure.ELEMENT,
            "CLUSTERDOWN The cluster is down",
            RedisCalls.Failure.TOPOLOGY,
            "ERR Error running script (call to f_5a1f): @user_script:12: user_script:12:"
                + " attempt to compare nil with number",
            RedisCalls.Failure.UNEXPECTED);
    replies.forEach(
        (reply, failure) ->
            assertEquals(reply, failure, RedisCalls.Failure.of(new JedisDataException(reply))));
  }

  /**
   * Runs {@code call} on a thread of its own and returns once it is waiting to try again, which it
   * does only after Redis refused it.
   */
  private static <T> CompletableFuture<T> waiting(Supplier<T> call) throws InterruptedException {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.complete(call.get());
              } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
              }
            },
            "redis-call");
    thread.start();
    Eventually.await(
        "the call to wait for Redis after a refusal",
        PATIENCE,
        () -> {
          assertTrue("the call ended while Redis refused it: " + result, !result.isDone());
          return retrying(thread);
        });
    return result;
  }

  /** Whether {@code thread} sleeps in {@link RedisCalls#withRetries}, before trying again. */
  private static boolean retrying(Thread thread) {
    List<StackTraceElement> stack = Arrays.asList(thread.getStackTrace());
    return !stack.isEmpty()
        && stack.get(0).getMethodName().startsWith("sleep")
        && stack.stream()
            .anyMatch(
                frame ->
                    frame.getClassName().equals(RedisCalls.class.getName())
                        && frame.getMethodName().equals("withRetries"));
  }

  private static boolean busyReply(Jedis jedis) {
    try {
      jedis.ping();
      return false;
    } catch (JedisDataException e) {
      return String.valueOf(e.getMessage()).startsWith("BUSY");
    }
  }

  private ClaimDecision claim(GcsNotification n) {
    return store.claim(List.of(n), JOB).get(0);
  }

  private String state(String objectId, long generation) {
    return admin.hget(
        new ClaimKeys(job.keyPrefix()).generation("b", objectId, generation), "state");
  }
}
