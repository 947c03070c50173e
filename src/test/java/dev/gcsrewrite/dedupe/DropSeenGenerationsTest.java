package dev.gcsrewrite.dedupe;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.testing.Counters;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/** The dedupe step alone, driven by processing time in a {@code TestStream}. */
public class DropSeenGenerationsTest {
  private static final Duration TTL = Duration.standardMinutes(10);

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void firstNotificationOfEachGenerationPassesAndDuplicatesAreDropped() {
    TestStream<GcsNotification> stream =
        stream()
            .addElements(parsed("bucket", "a", 1, "m1"), parsed("bucket", "a", 1, "m2"))
            .addElements(parsed("bucket", "a", 2, "m3"), parsed("bucket", "b", 1, "m4"))
            .addElements(parsed("bucket", "a", 1, "m5"), parsed("bucket", "b", 1, "m4"))
            .advanceWatermarkToInfinity();

    PCollection<String> passed =
        messageIds(pipeline.apply(stream).apply(new DropSeenGenerations(TTL)));

    PAssert.that(passed).containsInAnyOrder("m1", "m3", "m4");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(3, Counters.get(result, "duplicates"));
  }

  @Test
  public void generationIsForgottenWhenTheTtlHasPassed() {
    TestStream<GcsNotification> stream =
        stream()
            .addElements(parsed("bucket", "a", 1, "m1"))
            .advanceProcessingTime(TTL.minus(Duration.standardSeconds(1)))
            .addElements(parsed("bucket", "a", 1, "m2"))
            .advanceProcessingTime(Duration.standardSeconds(2))
            .addElements(parsed("bucket", "a", 1, "m3"))
            .advanceWatermarkToInfinity();

    PCollection<String> passed =
        messageIds(pipeline.apply(stream).apply(new DropSeenGenerations(TTL)));

    // m2 comes within the TTL of m1 and is dropped; m3 comes after it and passes again.
    PAssert.that(passed).containsInAnyOrder("m1", "m3");
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void expiredGenerationsAreRemovedFromTheState() {
    TestStream<GcsNotification> stream =
        stream()
            .addElements(
                parsed("bucket", "a", 1, "m1"),
                parsed("bucket", "b", 1, "m2"),
                parsed("bucket", "c", 1, "m3"))
            .advanceProcessingTime(Duration.standardMinutes(5))
            .addElements(parsed("bucket", "d", 1, "m4"))
            // Past a, b and c's expiry, not d's.
            .advanceProcessingTime(Duration.standardMinutes(7))
            .addElements(parsed("bucket", "a", 1, "m5"), parsed("bucket", "d", 1, "m6"))
            .advanceWatermarkToInfinity();

    PCollection<String> passed =
        messageIds(pipeline.apply(stream).apply(new DropSeenGenerations(TTL)));

    PAssert.that(passed).containsInAnyOrder("m1", "m2", "m3", "m4", "m5");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals("a, b and c forgotten", 3, Counters.get(result, "dedupeExpired"));
    assertEquals("m6, d within its TTL", 1, Counters.get(result, "duplicates"));
  }

  private static TestStream.Builder<GcsNotification> stream() {
    return TestStream.create(GcsNotificationCoder.of());
  }

  private static PCollection<String> messageIds(PCollection<GcsNotification> notifications) {
    return notifications.apply(
        "MessageIds", MapElements.into(TypeDescriptors.strings()).via(GcsNotification::messageId));
  }
}
