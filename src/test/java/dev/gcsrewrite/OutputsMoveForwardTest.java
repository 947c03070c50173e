package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.crc32c;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.stream;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Messages;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The invariant, through the whole graph (TestStream, real Redis, buckets as folders keeping
 * generations): at every moment an object's output is the rewrite of exactly one generation's
 * bytes, over time it only moves to newer generations, Redis's latest completed generation names
 * the one whose bytes are there, and each generation's events carry its own size and checksum.
 */
public class OutputsMoveForwardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final long G1 = 1764064800000001L;
  private static final long G2 = 1764064800000002L;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);

  @Test
  public void largeSlowOlderAndSmallFastNewerInFlightTogetherEndAtTheNewer() {
    buckets.setVersioned(true);
    byte[] large = new byte[24 * 1024 * 1024];
    Arrays.fill(large, (byte) 'a');
    System.arraycopy(bytes("AWS"), 0, large, large.length / 2, 3);
    buckets.putGeneration("report.csv", G1, large);
    buckets.putGeneration("report.csv", G2, "AWS small");

    Outputs outputs =
        run(
            stream()
                .addElements(at(newObject("report.csv", G1, large, "m1")))
                // The newer one arrives while the older waits to be written: it must wait.
                .addElements(at(newObject("report.csv", G2, bytes("AWS small"), "m2"))));

    PAssert.that(eventIds(outputs.complete))
        .containsInAnyOrder(
            generationKey("report.csv", G1) + ":complete",
            generationKey("report.csv", G2) + ":complete");
    PAssert.that(outputs.deadLetters).empty();
    PipelineResult result = outputs.finish();

    assertEquals("GCP small", buckets.outputText("report.csv.processed"));
    assertEquals(Long.toString(G2), job.latest("report.csv"));
    assertThat(Counters.get(result, "claimsWaiting"), greaterThanOrEqualTo(1L));
    assertEquals(2, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void eachGenerationIsReadExactlyAndItsEventCarriesItsOwnSizeAndChecksum()
      throws IOException {
    buckets.setVersioned(true);
    buckets.putGeneration("a.txt", G1, "AWS one");
    buckets.putGeneration("a.txt", G2, "AWS two, longer");

    Outputs outputs =
        run(
            stream()
                .addElements(at(newObject("a.txt", G1, bytes("AWS one"), "m1")))
                .advanceProcessingTime(Duration.standardSeconds(5))
                .addElements(at(newObject("a.txt", G2, bytes("AWS two, longer"), "m2"))));

    PAssert.that(
            outputs.complete.apply(
                "SizeAndCrc",
                MapElements.into(TypeDescriptors.strings())
                    .via(OutputsMoveForwardTest::generationSizeAndCrc)))
        .containsInAnyOrder(
            G1 + " 7 " + crc("AWS one") + " 7", G2 + " 15 " + crc("AWS two, longer") + " 15");
    PAssert.that(outputs.deadLetters).empty();
    outputs.finish();

    assertEquals("GCP two, longer", buckets.outputText("a.txt.processed"));
    assertEquals(Long.toString(G2), job.latest("a.txt"));
  }

  @Test
  public void generationOverwrittenBeforeItIsReadIsSkippedNeverWrittenWithTheNewerBytes() {
    // No versioning: the overwrite deleted generation 1 before the pipeline got to it.
    buckets.putGeneration("a.txt", G1, "AWS one");
    buckets.putGeneration("a.txt", G2, "AWS two");

    Outputs outputs =
        run(
            stream()
                .addElements(at(newObject("a.txt", G1, bytes("AWS one"), "m1")))
                .advanceProcessingTime(Duration.standardSeconds(5))
                .addElements(at(newObject("a.txt", G2, bytes("AWS two"), "m2"))));

    PAssert.that(eventIds(outputs.complete))
        .containsInAnyOrder(
            generationKey("a.txt", G1) + ":skipped", generationKey("a.txt", G2) + ":complete");
    PAssert.that(outputs.deadLetters).empty();
    PipelineResult result = outputs.finish();

    assertEquals("GCP two", buckets.outputText("a.txt.processed"));
    assertEquals("SKIPPED", job.record("a.txt", G1).get("state"));
    assertEquals("sourceMissing", job.record("a.txt", G1).get("reason"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void olderGenerationArrivingAfterTheNewerWasClaimedIsSupersededAndNeverWritten() {
    buckets.setVersioned(true);
    buckets.putGeneration("a.txt", G1, "AWS one");
    buckets.putGeneration("a.txt", G2, "AWS two");

    Outputs outputs =
        run(
            stream()
                .addElements(at(newObject("a.txt", G2, bytes("AWS two"), "m2")))
                .addElements(at(newObject("a.txt", G1, bytes("AWS one"), "m1"))));

    PAssert.that(eventIds(outputs.complete))
        .containsInAnyOrder(
            generationKey("a.txt", G1) + ":skipped", generationKey("a.txt", G2) + ":complete");
    PAssert.that(outputs.deadLetters).empty();
    PipelineResult result = outputs.finish();

    assertEquals("GCP two", buckets.outputText("a.txt.processed"));
    assertEquals(1, Counters.get(result, "superseded"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void contentThatIsNotTheNotifiedGenerationsIsNeverAnnouncedAsComplete() {
    // A bucket without a generation store: the file is read as it is, and it has changed.
    buckets.put("a.txt", "AWS what is there now");

    Outputs outputs =
        run(stream().addElements(at(newObject("a.txt", G1, bytes("AWS as notified"), "m1"))));

    PAssert.that(eventIds(outputs.complete))
        .containsInAnyOrder(generationKey("a.txt", G1) + ":skipped");
    PAssert.that(outputs.deadLetters).empty();
    PipelineResult result = outputs.finish();

    assertEquals("sourceChanged", job.record("a.txt", G1).get("reason"));
    assertEquals(null, job.latest("a.txt"));
    assertEquals(1, Counters.get(result, "sourceChanged"));
    assertEquals("the lock is free again", "", lockGeneration("a.txt"));
  }

  // ---- fixtures ----

  private Outputs run(TestStream.Builder<PubsubMessage> events) {
    TestStream.Builder<PubsubMessage> withTime = events;
    // Processing time moves on in steps, so that waiting generations ask Redis again.
    for (int i = 0; i < 12; i++) {
      withTime = withTime.advanceProcessingTime(Duration.standardSeconds(2));
    }
    GcsRewritePipeline.Outputs outputs = job.graph(pipeline, withTime.advanceWatermarkToInfinity());
    return new Outputs(outputs.complete(), outputs.deadLetters());
  }

  private static TimestampedValue<PubsubMessage> at(PubsubMessage message) {
    return TimestampedValue.of(message, T0);
  }

  private static PCollection<String> eventIds(PCollection<PubsubMessage> events) {
    return events.apply("EventIds", Messages.attribute("eventId"));
  }

  private static String generationSizeAndCrc(PubsubMessage event) {
    try {
      var body = JSON.readTree(event.getPayload());
      return body.get("objectGeneration").asText()
          + " "
          + body.get("sourceBytes").asText()
          + " "
          + body.get("sourceCrc32c").asText()
          + " "
          + body.get("outputBytes").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String crc(String content) {
    return crc32c(bytes(content));
  }

  private String lockGeneration(String objectId) {
    return job.records().lock(BUCKET, objectId).getOrDefault("generation", "");
  }

  /** The graph's outputs a test asserts on, and how to run it. */
  private final class Outputs {
    final PCollection<PubsubMessage> complete;
    final PCollection<PubsubMessage> deadLetters;

    Outputs(PCollection<PubsubMessage> complete, PCollection<PubsubMessage> deadLetters) {
      this.complete = complete;
      this.deadLetters = deadLetters;
    }

    PipelineResult finish() {
      return PipelineRuns.runToEnd(pipeline);
    }
  }
}
