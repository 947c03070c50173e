package dev.gcsrewrite.redis;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;

/** A job's heartbeat in a real Redis: kept while held, left to lapse once the last hold ends. */
public class JobHeartbeatTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  public void aHeldHeartbeatBeatsUntilItsLastHoldEndsThenLapses() throws Exception {
    RedisSettings settings = REDIS.settings(job.keyPrefix());
    String key = new ClaimKeys(job.keyPrefix()).job("job-a");
    try (Jedis redis = REDIS.client()) {
      JobHeartbeat first = JobHeartbeat.hold(settings, "job-a");
      JobHeartbeat second = JobHeartbeat.hold(settings, "job-a");
      Eventually.await("a first beat", PATIENCE, () -> redis.exists(key));
      String beat = redis.get(key);
      assertThat(beat, startsWith(ManagementFactory.getRuntimeMXBean().getName() + " "));
      assertThat(
          redis.pttl(key), allOf(greaterThan(0L), lessThanOrEqualTo(JobHeartbeat.TTL.getMillis())));

      first.close();
      Eventually.await("a beat after one hold ended", PATIENCE, () -> !beat.equals(redis.get(key)));
      second.close();

      // No beat refreshes it any more: it runs down past a period and more, then lapses.
      long stale = JobHeartbeat.TTL.minus(JobHeartbeat.PERIOD).getMillis() - 1_000;
      Eventually.await("the beat running down", PATIENCE, () -> redis.pttl(key) < stale);
      try (ClaimStore store = ClaimStore.forCommand(settings)) {
        Map<String, String> beating = store.heartbeats(List.of("job-a", "job-b"));
        assertEquals(List.of("job-a"), List.copyOf(beating.keySet()));
        redis.del(key);
        assertNull(store.heartbeats(List.of("job-a")).get("job-a"));
      }
    }
  }
}
