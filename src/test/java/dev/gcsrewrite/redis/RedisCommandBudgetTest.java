package dev.gcsrewrite.redis;

import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The Redis budget of the normal path, measured from Redis's own {@code INFO commandstats} around a
 * run of N new objects: commands sent per object (three scripts: claim, settle, and the record that
 * its complete event was published; loading the scripts and connecting add a little) and network
 * round trips per bundle (one). Prints the figures; fails if the budget is exceeded.
 */
public class RedisCommandBudgetTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final int OBJECTS = 200;

  @Test
  public void normalPathStaysWithinThreeCommandsPerObjectAndOneRoundTripPerBundle() {
    TestStream.Builder<PubsubMessage> stream = Notifications.stream();
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    for (int i = 0; i < OBJECTS; i++) {
      String object = String.format("budget/%04d", i);
      buckets.put(object, "AWS " + i);
      stream =
          stream.addElements(
              TimestampedValue.of(
                  newObject(object, 1763630102412883L, bytes("AWS " + i), "m" + i), t0));
    }
    GcsRewritePipeline.Outputs outputs =
        job.graph(
            pipeline,
            stream.advanceProcessingTime(Duration.standardSeconds(5)).advanceWatermarkToInfinity());
    PAssert.that(outputs.deadLetters()).empty();

    Map<String, Long> before = REDIS.commandCalls();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    Map<String, Long> after = REDIS.commandCalls();

    long sent = 0;
    StringBuilder perCommand = new StringBuilder();
    for (String command : new String[] {"evalsha", "eval", "script", "ping", "auth", "client"}) {
      long calls = after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L);
      sent += calls;
      if (calls > 0) {
        perCommand.append(' ').append(command).append('=').append(calls);
      }
    }
    long scriptInternal =
        after.entrySet().stream()
            .filter(e -> !e.getKey().matches("evalsha|eval|script|ping|auth|client|info"))
            .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L))
            .sum();
    long roundTrips = Counters.get(result, "redisRoundTrips");
    long batches = Counters.get(result, "redisBatches");
    double perObject = sent / (double) OBJECTS;
    System.out.printf(
        Locale.ROOT,
        "Redis budget over %d objects: commands sent%s = %d (%.2f per object); commands run"
            + " inside the scripts = %d (%.2f per object); round trips = %d over %d bundles"
            + " (%.2f per bundle)%n",
        OBJECTS,
        perCommand,
        sent,
        perObject,
        scriptInternal,
        scriptInternal / (double) OBJECTS,
        roundTrips,
        batches,
        roundTrips / (double) batches);

    assertEquals(OBJECTS, Counters.get(result, "objectsWritten"));
    assertThat(perObject, lessThanOrEqualTo(3.2));
    // One round trip per bundle, plus one resent after Redis first said it lacked the scripts.
    assertThat("round trips", roundTrips, lessThanOrEqualTo(batches + 1));
  }
}
