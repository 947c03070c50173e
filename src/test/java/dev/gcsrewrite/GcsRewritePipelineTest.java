package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.event;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.redelivered;
import static dev.gcsrewrite.testing.Notifications.stream;
import static dev.gcsrewrite.testing.Notifications.withAttribute;
import static dev.gcsrewrite.testing.Notifications.withPayload;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The whole graph after {@code ReadNotifications}, fed by a {@code TestStream}, against local
 * folders as buckets: output files byte for byte, the audit events and the dead letters in every
 * scenario.
 */
public class GcsRewritePipelineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-11-20T09:15:02.871Z");
  private static final long GEN1 = 1763630102412883L;
  private static final long GEN2 = 1763630199000001L;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void newObjectIsRewrittenWrittenAndAnnounced() throws IOException {
    buckets.put("work001", "AWS in line one\nand AWS, AWSAWS and aws\n");
    Run run = run(stream().addElements(at(newObject("work001", GEN1, 40, "m1"), 0)));

    expectProcessedOnce(run, "work001", GEN1);
    PAssert.that(run.outputs.complete()).satisfies(GcsRewritePipelineTest::completeBodiesAreRight);
    PipelineResult result = run.finish();

    assertEquals(List.of("work001.processed"), buckets.outputs());
    assertEquals(
        "GCP in line one\nand GCP, GCPGCP and aws\n", buckets.outputText("work001.processed"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
    assertEquals(4, Counters.get(result, "replacements"));
    assertEquals(40, Counters.get(result, "bytesIn"));
    assertEquals(40, Counters.get(result, "bytesOut"));
  }

  @Test
  public void duplicateWithNewMessageIdIsDropped() {
    buckets.put("work001", "AWS");
    PubsubMessage first = newObject("work001", GEN1, 3, "m1");
    Run run =
        run(
            stream()
                .addElements(
                    at(first, 0),
                    at(redelivered(first, "m2"), 1),
                    at(redelivered(first, "m3"), 2)));

    expectProcessedOnce(run, "work001", GEN1);
    PipelineResult result = run.finish();

    assertEquals("GCP", buckets.outputText("work001.processed"));
    assertEquals(2, Counters.get(result, "duplicates"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void redeliveryOfTheSameMessageIsDropped() {
    buckets.put("work001", "xAWSx");
    PubsubMessage message = newObject("work001", GEN1, 5, "m1");
    Run run = run(stream().addElements(at(message, 0), at(message, 5)));

    expectProcessedOnce(run, "work001", GEN1);
    PipelineResult result = run.finish();

    assertEquals("xGCPx", buckets.outputText("work001.processed"));
    assertEquals(1, Counters.get(result, "duplicates"));
  }

  @Test
  public void twoGenerationsOfOneObjectAreEachCompletedOnceWithTheirOwnBytes() {
    buckets.setVersioned(true);
    buckets.putGeneration("work001", GEN1, "first AWS version");
    buckets.putGeneration("work001", GEN2, "second AWS version");
    Run run =
        run(
            stream()
                .addElements(at(newObject("work001", GEN1, bytes("first AWS version"), "m1"), 0))
                // The first is done before the second arrives (had the second been claimed
                // first, the first would be superseded: see OutputsMoveForwardTest).
                .advanceProcessingTime(Duration.standardSeconds(5))
                .addElements(
                    at(
                        withAttribute(
                            newObject("work001", GEN2, bytes("second AWS version"), "m2"),
                            "overwroteGeneration",
                            Long.toString(GEN1)),
                        1)));

    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(
            generationKey("work001", GEN1) + ":complete",
            generationKey("work001", GEN2) + ":complete");
    PAssert.that(run.outputs.deadLetters()).empty();
    run.finish();

    // Each generation read exactly its own bytes; the output ends at the newest.
    assertEquals(List.of("work001.processed"), buckets.outputs());
    assertEquals("second GCP version", buckets.outputText("work001.processed"));
    assertEquals("COMPLETED", job.record("work001", GEN1).get("state"));
    assertEquals("COMPLETED", job.record("work001", GEN2).get("state"));
    assertEquals(Long.toString(GEN2), job.latest("work001"));
    // Once the second is completed no one reads the first again: the versioned store drops it.
    assertFalse(Files.exists(buckets.kept("work001", GEN1)));
    assertTrue(Files.exists(buckets.kept("work001", GEN2)));
  }

  @Test
  public void generationSettledByAnEarlierRunIsDroppedAsADuplicate() throws Exception {
    buckets.put("work001", "AWS");
    settleBeforehand("work001", GEN1, "other-job");
    Run run = run(stream().addElements(at(newObject("work001", GEN1, 3, "m9"), 0)));

    PAssert.that(run.outputs.processing()).empty();
    PAssert.that(run.outputs.complete()).empty();
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertThat(buckets.outputs(), empty());
    assertEquals(1, Counters.get(result, "duplicatesSeenByRedis"));
    assertEquals("other-job", job.record("work001", GEN1).get("owner"));
  }

  @Test
  public void olderGenerationArrivingAfterANewerOneCompletedIsSuperseded() throws Exception {
    buckets.put("work001", "AWS");
    settleBeforehand("work001", GEN2, "other-job");
    Run run = run(stream().addElements(at(newObject("work001", GEN1, 3, "late"), 0)));

    PAssert.that(run.outputs.processing()).empty();
    // Its audit trail ends all the same: a skipped event saying why.
    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":skipped");
    PAssert.that(body(run.outputs.complete(), "reason")).containsInAnyOrder("superseded");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertThat(buckets.outputs(), empty());
    assertEquals(1, Counters.get(result, "superseded"));
    assertEquals(1, Counters.get(result, "auditEvents.skipped"));
    assertEquals(Long.toString(GEN2), job.latest("work001"));
  }

  @Test
  public void claimLeftByThisJobsFailedBundleIsReenteredAndCompleted() throws Exception {
    buckets.put("work001", "AWS");
    PubsubMessage message = newObject("work001", GEN1, 3, "m1");
    try (ClaimStore store = job.store()) {
      ClaimFixtures.claim(store, parsedFrom(message), ClaimFixtures.owner(TestJob.JOB_NAME));
    }
    Run run = run(stream().addElements(at(message, 0)));

    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":complete");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP", buckets.outputText("work001.processed"));
    assertEquals(1, Counters.get(result, "claimsReentrant"));
    assertEquals("COMPLETED", job.record("work001", GEN1).get("state"));
  }

  @Test
  public void eventsOtherThanNewObjectsAreSkippedAndCounted() {
    buckets.put("work001", "AWS");
    Run run =
        run(
            stream()
                .addElements(
                    at(event("OBJECT_DELETE", "work001", GEN1, "d1"), 0),
                    at(event("OBJECT_ARCHIVE", "work001", GEN1, "a1"), 0),
                    at(event("OBJECT_METADATA_UPDATE", "work001", GEN1, "u1"), 0),
                    at(event("OBJECT_FINALIZE", "reports/2026/", GEN1, "f1"), 0)));

    PAssert.that(run.outputs.processing()).empty();
    PAssert.that(run.outputs.complete()).empty();
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertThat(buckets.outputs(), empty());
    assertEquals(3, Counters.get(result, "skippedNotFinalize"));
    assertEquals(1, Counters.get(result, "skippedFolderPlaceholder"));
  }

  @Test
  public void ownOutputsBelowTheProcessedFolderAreSkippedAndUsersLookalikesAreProcessed() {
    // The work bucket is also the processed bucket, with outputs below out/.
    buckets.put("notes.processed", "AWS notes");
    buckets.put("out/work001.processed", "GCP already");
    Run run =
        run(
            stream()
                .addElements(
                    at(newObject("out/work001.processed", GEN1, 11, "o1"), 0),
                    at(newObject("out/.temp-beam-1/part", GEN1, 3, "t1"), 0),
                    at(newObject("notes.processed", GEN1, 9, "n1"), 0)),
            "--processedBucket=" + buckets.source("out"));

    PAssert.that(attribute(run.outputs.complete(), "objectId"))
        .containsInAnyOrder("notes.processed");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertEquals(2, Counters.get(result, "skippedOwnOutput"));
    assertEquals("GCP notes", readText(buckets.source("out").resolve("notes.processed.processed")));
  }

  @Test
  public void notificationOfABucketOutsideTheAllowListIsDeadLetteredAndNotRead() {
    buckets.put("work001", "AWS mine");
    PubsubMessage foreign =
        withAttribute(newObject("work001", GEN2, 8, "f1"), "bucketId", "someone-elses-bucket");
    foreign = withPayload(foreign, bytes("{\"bucket\":\"someone-elses-bucket\"}"));
    Run run =
        run(
            stream().addElements(at(foreign, 0), at(newObject("work001", GEN1, 8, "m1"), 1)),
            "--workBuckets=" + BUCKET + ",another-work-bucket");

    PAssert.that(attribute(run.outputs.deadLetters(), "errorType"))
        .containsInAnyOrder("BucketNotAllowed");
    PAssert.that(attribute(run.outputs.deadLetters(), "errorStage"))
        .containsInAnyOrder("SelectNewObjects");
    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":complete");
    run.finish();

    // Two work buckets: each output goes below a folder named after its bucket.
    assertEquals(List.of(BUCKET + "/work001.processed"), buckets.outputs());
    assertEquals("GCP mine", buckets.outputText(BUCKET + "/work001.processed"));
  }

  @Test
  public void malformedMessagesBesideGoodOnesAreDeadLetteredWithTheOriginal() {
    buckets.put("work001", "AWS one");
    buckets.put("work002", "AWS two");
    PubsubMessage notJson = withPayload(newObject("bad1", GEN1, 1, "x1"), bytes("{oops"));
    PubsubMessage unsafe =
        withAttribute(event("OBJECT_FINALIZE", "a", GEN1, "x2"), "objectId", "../../etc/passwd");
    PubsubMessage badGeneration =
        withAttribute(newObject("work003", GEN1, 1, "x3"), "objectGeneration", "12abc");
    Run run =
        run(
            stream()
                .addElements(
                    at(newObject("work001", GEN1, 7, "m1"), 0),
                    at(notJson, 0),
                    at(unsafe, 1),
                    at(badGeneration, 1),
                    at(newObject("work002", GEN1, 7, "m2"), 2)));

    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(
            generationKey("work001", GEN1) + ":complete",
            generationKey("work002", GEN1) + ":complete");
    PAssert.that(attribute(run.outputs.deadLetters(), "errorType"))
        .containsInAnyOrder("MalformedJson", "UnsafeObjectName", "InvalidAttribute");
    PAssert.that(attribute(run.outputs.deadLetters(), "originalMessageId"))
        .containsInAnyOrder("x1", "x2", "x3");
    PAssert.that(run.outputs.deadLetters())
        .satisfies(new CarriesOriginals(List.of(notJson, unsafe, badGeneration)));
    PipelineResult result = run.finish();

    assertEquals(List.of("work001.processed", "work002.processed"), buckets.outputs());
    assertEquals(3, Counters.get(result, "deadLettered"));
    assertEquals(5, Counters.get(result, "notificationsReceived"));
    assertEquals(2, Counters.get(result, "notificationsParsed"));
  }

  @Test
  public void missingSourceIsSkippedAndAnnouncedNotFailed() {
    Run run = run(stream().addElements(at(newObject("gone", GEN1, 10, "m1"), 0)));

    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey("gone", GEN1) + ":skipped");
    PAssert.that(attribute(run.outputs.complete(), "eventType")).containsInAnyOrder("skipped");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    assertThat(buckets.outputs(), empty());
    assertEquals(1, Counters.get(result, "skippedSourceMissing"));
    assertEquals("SKIPPED", job.record("gone", GEN1).get("state"));
    assertEquals("sourceMissing", job.record("gone", GEN1).get("reason"));
    assertEquals(null, job.latest("gone"));
  }

  @Test
  public void unreadableSourceIsDeadLettered() throws IOException {
    Files.createDirectories(buckets.source("adir"));
    Run run = run(stream().addElements(at(newObject("adir", GEN1, 10, "m1"), 0)));

    PAssert.that(run.outputs.complete()).empty();
    PAssert.that(attribute(run.outputs.deadLetters(), "errorType"))
        .containsInAnyOrder("SourceUnreadable");
    PAssert.that(attribute(run.outputs.deadLetters(), "errorStage"))
        .containsInAnyOrder("WriteProcessedObjects");
    PipelineResult result = run.finish();

    assertThat(buckets.outputs(), empty());
    // The claim is released, so a fixed notification can be processed at once.
    assertEquals(Map.of(), job.record("adir", GEN1));
    assertEquals(1, Counters.get(result, "claimsReleased"));
  }

  @Test
  public void namesWithFoldersSpacesUnicodeAndGlobCharactersAreWrittenWhereExpected() {
    String nested = "reports/2026/q4 summary é.txt";
    String glob = "data[1]*?{a,b}.csv";
    buckets.put(nested, "AWS é AWS");
    buckets.put(glob, "AWS");
    // Same bytes as the glob-named object, so its output matches the glob name's pattern and
    // has the same content: FileIO's "skip if the destination exists" must not take it for ours.
    buckets.put("data1x.csv", "AWS");
    Run run =
        run(
            stream()
                .addElements(at(newObject("data1x.csv", GEN1, 3, "m0"), 0))
                .advanceProcessingTime(Duration.standardSeconds(5))
                .addElements(
                    at(newObject(nested, GEN1, 12, "m1"), 1),
                    at(newObject(glob, GEN1, 3, "m2"), 1)));

    PAssert.that(attribute(run.outputs.complete(), "objectId"))
        .containsInAnyOrder("data1x.csv", nested, glob);
    PAssert.that(run.outputs.deadLetters()).empty();
    run.finish();

    assertEquals(
        List.of(
            "data1x.csv.processed",
            "data[1]*?{a,b}.csv.processed",
            "reports/2026/q4 summary é.txt.processed"),
        buckets.outputs());
    assertEquals("GCP é GCP", buckets.outputText(nested + ".processed"));
    assertEquals("GCP", buckets.outputText(glob + ".processed"));
  }

  @Test
  public void binaryContentSpanningManyReadBuffersPassesThroughExceptForMatches()
      throws IOException {
    byte[] content = new byte[600_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31 + 7);
    }
    // Tokens at the start, across the rewriter's 256 KiB read-buffer boundary, and at the end.
    int[] positions = {0, 262_143, content.length - 3};
    for (int position : positions) {
      System.arraycopy("AWS".getBytes(StandardCharsets.US_ASCII), 0, content, position, 3);
    }
    buckets.put("blob.bin", content);
    Run run = run(stream().addElements(at(newObject("blob.bin", GEN1, content.length, "m1"), 0)));
    PAssert.that(attribute(run.outputs.complete(), "eventType")).containsInAnyOrder("complete");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    byte[] expected = content.clone();
    for (int position : positions) {
      System.arraycopy("GCP".getBytes(StandardCharsets.US_ASCII), 0, expected, position, 3);
    }
    assertArrayEquals(expected, Files.readAllBytes(buckets.output("blob.bin.processed")));
    assertEquals(3, Counters.get(result, "replacements"));
  }

  @Test
  public void generationSeenAgainAfterTheDedupeTtlIsStillDroppedThanksToRedis() {
    buckets.put("work001", "AWS");
    PubsubMessage first = newObject("work001", GEN1, 3, "m1");
    Run run =
        run(
            stream()
                .addElements(at(first, 0))
                .advanceProcessingTime(Duration.standardMinutes(11))
                .addElements(at(redelivered(first, "m2"), 1)));

    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey("work001", GEN1) + ":complete");
    PAssert.that(run.outputs.deadLetters()).empty();
    PipelineResult result = run.finish();

    // The pipeline's own memory of m1 had expired: Redis recognised m2 as a duplicate.
    assertEquals(1, Counters.get(result, "duplicates"));
    assertEquals(1, Counters.get(result, "duplicatesSeenByRedis"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
    assertEquals("GCP", buckets.outputText("work001.processed"));
  }

  // ---- fixtures ----

  /**
   * What exactly once means on the topics: one processing and one complete event for the
   * generation, whatever was redelivered or duplicated, and no dead letter.
   */
  private static void expectProcessedOnce(Run run, String objectId, long generation) {
    PAssert.that(attribute(run.outputs.processing(), "eventId"))
        .containsInAnyOrder(generationKey(objectId, generation) + ":processing");
    PAssert.that(attribute(run.outputs.complete(), "eventId"))
        .containsInAnyOrder(generationKey(objectId, generation) + ":complete");
    PAssert.that(run.outputs.deadLetters()).empty();
  }

  /** One attribute of each message, as a uniquely named step. */
  private static PCollection<String> attribute(PCollection<PubsubMessage> messages, String key) {
    return messages.apply("Test/" + messages.getName() + "/" + key, Messages.attribute(key));
  }

  /** One field of each message's JSON body, as a uniquely named step. */
  private static PCollection<String> body(PCollection<PubsubMessage> messages, String field) {
    return messages.apply(
        "Test/" + messages.getName() + "/body/" + field,
        MapElements.into(TypeDescriptors.strings()).via(m -> bodyField(m.getPayload(), field)));
  }

  private static String bodyField(byte[] payload, String field) {
    try {
      return JSON.readTree(payload).path(field).asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Records {@code generation} as completed by {@code owner}, as an earlier run would have. */
  private void settleBeforehand(String objectId, long generation, String owner) throws Exception {
    GcsNotification n = parsedFrom(newObject(objectId, generation, 3, "earlier"));
    try (ClaimStore store = job.store()) {
      ClaimFixtures.complete(
          store, n, ClaimFixtures.owner(owner), "/earlier/" + objectId + ".processed");
    }
  }

  private static GcsNotification parsedFrom(PubsubMessage message) throws Exception {
    return NotificationParser.parse(OriginalMessage.of(message), T0);
  }

  private static TimestampedValue<PubsubMessage> at(PubsubMessage message, int seconds) {
    return TimestampedValue.of(message, T0.plus(Duration.standardSeconds(seconds)));
  }

  private Run run(TestStream.Builder<PubsubMessage> events, String... options) {
    TestStream<PubsubMessage> stream =
        events.advanceProcessingTime(Duration.standardSeconds(5)).advanceWatermarkToInfinity();
    return new Run(job.graph(pipeline, stream, options));
  }

  private static String readText(java.nio.file.Path path) {
    try {
      return Files.readString(path, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Void completeBodiesAreRight(Iterable<PubsubMessage> messages) {
    List<JsonNode> bodies = new ArrayList<>();
    for (PubsubMessage message : messages) {
      try {
        bodies.add(JSON.readTree(message.getPayload()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertEquals(1, bodies.size());
    JsonNode body = bodies.get(0);
    assertEquals("complete", body.get("eventType").asText());
    assertEquals(generationKey("work001", GEN1) + ":complete", body.get("eventId").asText());
    assertEquals(Long.toString(GEN1), body.get("objectGeneration").asText());
    assertEquals("m1", body.get("messageId").asText());
    assertEquals(TestJob.JOB_NAME, body.get("jobName").asText());
    assertThat(body.get("sourceUri").asText(), containsString("/buckets/" + BUCKET + "/work001"));
    assertThat(body.get("outputUri").asText(), containsString("/processed/work001.processed"));
    assertEquals(40, body.get("outputBytes").asLong());
    assertEquals(40, body.get("sourceBytes").asLong());
    return null;
  }

  /** Checks that each dead letter carries its original message untouched plus the reason. */
  private static final class CarriesOriginals
      implements SerializableFunction<Iterable<PubsubMessage>, Void> {
    private final HashMap<String, byte[]> payloads = new HashMap<>();
    private final HashMap<String, HashMap<String, String>> attributes = new HashMap<>();

    CarriesOriginals(List<PubsubMessage> originals) {
      for (PubsubMessage original : originals) {
        payloads.put(original.getMessageId(), original.getPayload());
        attributes.put(original.getMessageId(), new HashMap<>(original.getAttributeMap()));
      }
    }

    @Override
    public Void apply(Iterable<PubsubMessage> deadLetters) {
      for (PubsubMessage dead : deadLetters) {
        String id = dead.getAttribute("originalMessageId");
        assertArrayEquals(payloads.get(id), dead.getPayload());
        for (Map.Entry<String, String> attribute : attributes.get(id).entrySet()) {
          assertEquals(attribute.getValue(), dead.getAttribute(attribute.getKey()));
        }
        assertEquals("ParseNotifications", dead.getAttribute("errorStage"));
        assertThat(dead.getAttribute("errorMessage"), containsString(" "));
        Instant.parse(dead.getAttribute("failedAt"));
      }
      return null;
    }
  }

  /** A built test pipeline and what it returns. */
  private final class Run {
    final GcsRewritePipeline.Outputs outputs;

    Run(GcsRewritePipeline.Outputs outputs) {
      this.outputs = outputs;
    }

    PipelineResult finish() {
      return PipelineRuns.runToEnd(pipeline);
    }
  }
}
