package dev.gcsrewrite.claim;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;

/** The ClaimInRedis step alone: what passes, and how few round trips a bundle costs. */
public class ClaimInRedisTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestJob job = new TestJob(REDIS);

  private static final ClaimSettings JOB =
      new ClaimSettings("job", Duration.standardMinutes(10), Duration.standardDays(7));

  @Test
  public void claimedGenerationsPassAndSettledOnesAreDropped() throws Exception {
    RedisSettings redis = REDIS.settings(job.keyPrefix());
    GcsNotification settled = parsed("b", "settled", 1, "m0");
    GcsNotification older = parsed("b", "newer-exists", 1, "m1");
    GcsNotification newer = parsed("b", "newer-exists", 2, "m2");
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      ClaimFixtures.complete(store, settled, JOB, "out/settled");
      ClaimFixtures.complete(store, newer, JOB, "out/newer");
    }
    ClaimResults results =
        pipeline
            .apply(
                Create.of(settled, older, parsed("b", "fresh", 1, "m3"))
                    .withCoder(GcsNotificationCoder.of()))
            .apply(new ClaimInRedis(redis, JOB));

    PAssert.that(keys(results.claimed())).containsInAnyOrder("b/fresh#1");
    // The older generation ends as a skipped outcome (its audit trail has an end).
    PAssert.that(
            results
                .toAnnounce()
                .apply(
                    "Skipped",
                    MapElements.into(TypeDescriptors.strings())
                        .via(o -> o.notification().generationKey() + " " + o.reason())))
        .containsInAnyOrder("b/newer-exists#1 superseded");
    PAssert.that(results.failures()).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, Counters.get(result, "duplicatesSeenByRedis"));
    assertEquals(1, Counters.get(result, "superseded"));
    assertEquals(1, Counters.get(result, "claimed"));
  }

  @Test
  public void aBundleOfManyGenerationsCostsOneRoundTrip() {
    RedisSettings redis = REDIS.settings(job.keyPrefix());
    List<GcsNotification> notifications = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      notifications.add(parsed("b", "o" + i, 1, "m" + i));
      expected.add("b/o" + i + "#1");
    }
    ClaimResults results =
        pipeline
            .apply(Create.of(notifications).withCoder(GcsNotificationCoder.of()))
            .apply(new ClaimInRedis(redis, JOB));

    PAssert.that(keys(results.claimed())).containsInAnyOrder(expected);
    PAssert.that(results.failures()).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    long batches = Counters.get(result, "redisBatches");
    long roundTrips = Counters.get(result, "redisRoundTrips");
    System.out.printf(
        Locale.ROOT,
        "ClaimInRedis: 300 generations in %d bundles, %d round trips (%.1f generations per round"
            + " trip)%n",
        batches,
        roundTrips,
        300.0 / roundTrips);
    assertEquals(300, Counters.get(result, "claimed"));
    assertThat(roundTrips, lessThan(30L));
  }

  @Test
  public void generationWhoseRecordIsUnusableIsDeadLetteredAndTheRestGoOn() {
    String prefix = job.keyPrefix();
    RedisSettings redis = REDIS.settings(prefix);
    GcsNotification broken = parsed("b", "broken", 1, "m1");
    try (Jedis jedis = REDIS.client()) {
      // Someone wrote a plain string where the generation's hash belongs.
      jedis.set(new ClaimKeys(prefix).generation("b", "broken", 1), "not a hash");
    }
    ClaimResults results =
        pipeline
            .apply(
                Create.of(broken, parsed("b", "fine", 1, "m2"))
                    .withCoder(GcsNotificationCoder.of()))
            .apply(new ClaimInRedis(redis, JOB));

    PAssert.that(keys(results.claimed())).containsInAnyOrder("b/fine#1");
    PAssert.that(
            results
                .failures()
                .apply(
                    "Reasons",
                    MapElements.into(TypeDescriptors.strings())
                        .via(d -> d.errorStage() + " " + d.errorType() + " " + d.errorMessage())))
        .satisfies(
            reasons -> {
              List<String> all = new ArrayList<>();
              reasons.forEach(all::add);
              assertEquals(1, all.size());
              assertThat(
                  all.get(0), startsWith("ClaimInRedis ClaimRecordUnusable Redis could not"));
              assertThat(all.get(0), containsString("holds a string, not a hash"));
              return null;
            });
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, Counters.get(result, "redisElementErrors"));
    assertEquals(1, Counters.get(result, "claimed"));
  }

  private static PCollection<String> keys(PCollection<Claim> claims) {
    return claims.apply(
        "Keys", MapElements.into(TypeDescriptors.strings()).via(Claim::generationKey));
  }
}
