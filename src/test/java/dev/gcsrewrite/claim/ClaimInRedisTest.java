package dev.gcsrewrite.claim;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.output.Outcome;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.LocalRedis;
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
import org.junit.rules.TestName;

/** The ClaimInRedis step alone: what passes, and how few round trips a bundle costs. */
public class ClaimInRedisTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestName test = new TestName();

  private static final ClaimSettings JOB =
      new ClaimSettings("job", Duration.standardMinutes(10), Duration.standardDays(7));

  @Test
  public void claimedGenerationsPassAndSettledOnesAreDropped() throws Exception {
    RedisSettings redis = REDIS.settings(test.getMethodName() + ":");
    GcsNotification settled = parsed("b", "settled", 1, "m0");
    GcsNotification older = parsed("b", "newer-exists", 1, "m1");
    GcsNotification newer = parsed("b", "newer-exists", 2, "m2");
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      store.claim(List.of(settled, newer), JOB);
      store.settle(
          List.of(
              Outcome.complete(settled, "out/settled", 1), Outcome.complete(newer, "out/newer", 1)),
          JOB);
    }
    PCollection<GcsNotification> claimed =
        pipeline
            .apply(
                Create.of(settled, older, parsed("b", "fresh", 1, "m3"))
                    .withCoder(GcsNotificationCoder.of()))
            .apply(new ClaimInRedis(redis, JOB));

    PAssert.that(keys(claimed)).containsInAnyOrder("b/fresh#1");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, Counters.get(result, "duplicatesSeenByRedis"));
    assertEquals(1, Counters.get(result, "superseded"));
    assertEquals(1, Counters.get(result, "claimed"));
  }

  @Test
  public void aBundleOfManyGenerationsCostsOneRoundTrip() {
    RedisSettings redis = REDIS.settings(test.getMethodName() + ":");
    List<GcsNotification> notifications = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      notifications.add(parsed("b", "o" + i, 1, "m" + i));
      expected.add("b/o" + i + "#1");
    }
    PCollection<GcsNotification> claimed =
        pipeline
            .apply(Create.of(notifications).withCoder(GcsNotificationCoder.of()))
            .apply(new ClaimInRedis(redis, JOB));

    PAssert.that(keys(claimed)).containsInAnyOrder(expected);
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

  private static PCollection<String> keys(PCollection<GcsNotification> notifications) {
    return notifications.apply(
        "Keys", MapElements.into(TypeDescriptors.strings()).via(GcsNotification::generationKey));
  }
}
