package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.redelivered;
import static dev.gcsrewrite.testing.Notifications.stream;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Messages;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
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
 * No complete event is lost: a settled generation records when its event was published, and a
 * notification of a settled generation whose event never was (the job died or was cancelled between
 * settling and publishing) publishes it, once, instead of being dropped.
 */
public class AnnouncementsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-20T09:15:02.871Z");
  private static final long GEN1 = 1763630102412883L;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void publishedCompleteEventIsRecordedOnTheSettledGeneration() {
    buckets.put("work001", "AWS");
    GcsRewritePipeline.Outputs outputs =
        run(stream().addElements(at(newObject("work001", GEN1, 3, "m1"), 0)));

    PAssert.that(eventIds(outputs.complete()))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":complete");
    PAssert.that(outputs.deadLetters()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    Map<String, String> record = record("work001");
    assertEquals("COMPLETED", record.get("state"));
    assertNotNull("announced recorded", record.get("announced"));
    assertEquals("3", record.get("outputBytes"));
    assertEquals(1, Counters.get(result, "announcementsRecorded"));
  }

  @Test
  public void settledButUnannouncedGenerationIsAnnouncedByItsNextNotification() throws Exception {
    buckets.put("work001", "AWS");
    PubsubMessage notification = newObject("work001", GEN1, 3, "m1");
    try (ClaimStore store = job.store()) {
      ClaimFixtures.completeUnannounced(
          store,
          parsed(notification),
          ClaimFixtures.owner("crashed-job"),
          "/earlier/work001.processed");
    }
    settledAMinuteAgo("work001");
    GcsRewritePipeline.Outputs outputs =
        run(
            stream()
                .addElements(at(redelivered(notification, "m2"), 0))
                .advanceProcessingTime(Duration.standardSeconds(5))
                .addElements(at(redelivered(notification, "m3"), 1)));

    PAssert.that(eventIds(outputs.complete()))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":complete");
    PAssert.that(outputs.complete()).satisfies(AnnouncementsTest::describesTheSettledOutput);
    PAssert.that(outputs.processing()).empty();
    PAssert.that(outputs.deadLetters()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals("nothing written again", List.of(), buckets.outputs());
    assertEquals(1, Counters.get(result, "eventsAnnouncedLate"));
    assertEquals(0, Counters.get(result, "claimed"));
    assertNotNull(record("work001").get("announced"));
  }

  @Test
  public void announcedGenerationIsDroppedAsBefore() throws Exception {
    PubsubMessage notification = newObject("work001", GEN1, 3, "m1");
    try (ClaimStore store = job.store()) {
      ClaimFixtures.complete(
          store,
          parsed(notification),
          ClaimFixtures.owner("earlier-job"),
          "/earlier/work001.processed");
    }
    GcsRewritePipeline.Outputs outputs =
        run(stream().addElements(at(redelivered(notification, "m2"), 0)));

    PAssert.that(outputs.complete()).empty();
    PAssert.that(outputs.deadLetters()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals(0, Counters.get(result, "eventsAnnouncedLate"));
    assertEquals(1, Counters.get(result, "duplicatesSeenByRedis"));
  }

  @Test
  public void skippedButUnannouncedGenerationIsAnnouncedAsSkippedWithItsReason() throws Exception {
    PubsubMessage notification = newObject("work001", GEN1, 3, "m1");
    try (ClaimStore store = job.store()) {
      GcsNotification n = parsed(notification);
      store.settle(
          List.of(
              Outcome.skipped(
                  ClaimFixtures.claim(store, n, ClaimFixtures.owner("crashed-job")),
                  Outcome.SOURCE_MISSING)),
          ClaimFixtures.owner("crashed-job"));
    }
    settledAMinuteAgo("work001");
    GcsRewritePipeline.Outputs outputs =
        run(stream().addElements(at(redelivered(notification, "m2"), 0)));

    PAssert.that(field(outputs.complete(), "reason")).containsInAnyOrder(Outcome.SOURCE_MISSING);
    PAssert.that(field(outputs.complete(), "eventType")).containsInAnyOrder("skipped");
    PAssert.that(outputs.deadLetters()).empty();
    PipelineRuns.runToEnd(pipeline);

    assertNotNull(record("work001").get("announced"));
  }

  @Test
  public void generationNeverSettledIsNotMarked() throws Exception {
    try (ClaimStore store = job.store()) {
      String key = store.keys().generation(BUCKET, "never", GEN1);
      assertEquals(List.of(false), store.announce(List.of(key), 1));
    }
    assertNull(record("never").get("announced"));
    assertEquals(Map.of(), record("never"));
  }

  @Test
  public void justSettledButUnannouncedGenerationWaitsForItsSettlerInsteadOfAnnouncing()
      throws Exception {
    PubsubMessage notification = newObject("work001", GEN1, 3, "m1");
    try (ClaimStore store = job.store()) {
      ClaimFixtures.completeUnannounced(
          store,
          parsed(notification),
          ClaimFixtures.owner("busy-job"),
          "/earlier/work001.processed");
    }
    GcsRewritePipeline.Outputs outputs =
        run(stream().addElements(at(redelivered(notification, "m2"), 0)));

    // Within the grace its settler has to publish, the repeat waits rather than announces.
    PAssert.that(outputs.complete()).empty();
    PAssert.that(outputs.deadLetters()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals(0, Counters.get(result, "eventsAnnouncedLate"));
    assertNull(record("work001").get("announced"));
  }

  /** Moves the record's settling time back, as a job that died a minute ago left it. */
  private void settledAMinuteAgo(String objectId) {
    try (var redis = REDIS.client()) {
      String key =
          new dev.gcsrewrite.redis.ClaimKeys(job.keyPrefix()).generation(BUCKET, objectId, GEN1);
      redis.hset(key, "completedAt", Long.toString(System.currentTimeMillis() - 60_000));
    }
  }

  private static Void describesTheSettledOutput(Iterable<PubsubMessage> messages) {
    for (PubsubMessage message : messages) {
      JsonNode body = json(message);
      assertEquals("complete", body.get("eventType").asText());
      assertEquals("/earlier/work001.processed", body.get("outputUri").asText());
      assertEquals(3, body.get("outputBytes").asLong());
    }
    return null;
  }

  private GcsRewritePipeline.Outputs run(TestStream.Builder<PubsubMessage> events) {
    TestStream<PubsubMessage> stream =
        events.advanceProcessingTime(Duration.standardSeconds(5)).advanceWatermarkToInfinity();
    return job.graph(pipeline, stream);
  }

  private static PCollection<String> eventIds(PCollection<PubsubMessage> messages) {
    return messages.apply("EventIds", Messages.attribute("eventId"));
  }

  private static PCollection<String> field(PCollection<PubsubMessage> messages, String name) {
    return messages.apply(
        "Field " + name,
        MapElements.into(TypeDescriptors.strings()).via(m -> json(m).path(name).asText()));
  }

  private static JsonNode json(PubsubMessage message) {
    try {
      return JSON.readTree(message.getPayload());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TimestampedValue<PubsubMessage> at(PubsubMessage message, int seconds) {
    return TimestampedValue.of(message, T0.plus(Duration.standardSeconds(seconds)));
  }

  private static GcsNotification parsed(PubsubMessage message) throws Exception {
    return NotificationParser.parse(OriginalMessage.of(message), T0);
  }

  private Map<String, String> record(String objectId) {
    return job.record(objectId, GEN1);
  }
}
