package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.redelivered;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.DiscardingTopics;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Messages;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedisCluster;
import java.util.ArrayList;
import java.util.List;
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
 * The whole graph with its claims in a real three-master Redis Cluster ({@code --redisCluster}).
 */
public class PipelineOnRedisClusterTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final long GEN = 1764064800000001L;

  @ClassRule public static final LocalRedisCluster CLUSTER = new LocalRedisCluster();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void everyGenerationIsCompletedOnceWithClaimsSpreadOverTheMasters() {
    int count = 30;
    TestStream.Builder<PubsubMessage> stream = Notifications.stream();
    List<String> expectedIds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "cluster/object-" + i + ".txt";
      buckets.put(name, "AWS " + i);
      PubsubMessage message = newObject(name, GEN, Notifications.bytes("AWS " + i), "m" + i);
      stream =
          stream.addElements(
              TimestampedValue.of(message, T0),
              TimestampedValue.of(redelivered(message, "d" + i), T0));
      expectedIds.add(Notifications.generationKey(name, GEN) + ":complete");
    }
    // The cluster is not a LocalRedis, so the settings are made here rather than by a TestJob.
    GcsRewritePipeline.Outputs outputs =
        GcsRewritePipeline.buildPipeline(
            pipeline.apply(
                "ReadNotifications",
                stream
                    .advanceProcessingTime(Duration.standardSeconds(5))
                    .advanceWatermarkToInfinity()),
            TestJob.settings(
                buckets, CLUSTER.port(1), "pipeline:", "--redisCluster=true", "--dedupeTtl=1h"),
            new DiscardingTopics());

    PAssert.that(outputs.complete().apply(Messages.attribute("eventId")))
        .containsInAnyOrder(expectedIds);
    PAssert.that(outputs.deadLetters()).empty();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    assertEquals(count, Counters.get(result, "objectsWritten"));
    assertEquals(count, Counters.get(result, "duplicates"));
    for (int i = 0; i < count; i++) {
      assertEquals("GCP " + i, buckets.outputText("cluster/object-" + i + ".txt.processed"));
    }
    for (long keys : CLUSTER.keysPerNode()) {
      assertThat("keys on each master", keys, greaterThan(0L));
    }
  }
}
