package dev.gcsrewrite.local;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import dev.gcsrewrite.local.notifier.LocalBucketNotifier;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The local workflow end to end: files land in folder buckets, the local notifier publishes genuine
 * Cloud Storage notifications to the Pub/Sub emulator, the real pipeline (built from command-line
 * options, on the DirectRunner) claims in a real Redis, writes, and announces; the tests read the
 * effects back: output files byte for byte, audit events and dead letters from the emulator,
 * records from Redis.
 */
public class LocalWorkflowTest {
  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> running = new ArrayList<>();
  private final List<PubsubMessage> completeEvents = new ArrayList<>();

  @After
  public void stopEverything() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
  }

  @Test
  public void batchOfNewObjectsIsProcessedOnceEach() throws Exception {
    RunningPipeline pipeline = start(pipeline("a"));
    start(notifier(1));
    long startedAt = System.currentTimeMillis();
    List<WorkGenerator.WorkObject> files = WorkGenerator.write(workBucket(), 25, 1L);

    awaitCompleteEvents(25);
    long waited = System.currentTimeMillis() - startedAt;

    // Each complete event says how long its generation took, from its notification's publish
    // (after the file was written) to the event; the distribution metric counts the same figures.
    long slowest = 0;
    for (PubsubMessage event : completeEvents) {
      long latency = JSON.readTree(event.getPayload()).get("latencyMillis").asLong(-1);
      assertThat(latency, allOf(greaterThanOrEqualTo(0L), lessThanOrEqualTo(waited)));
      slowest = Math.max(slowest, latency);
    }
    long slowestEvent = slowest;
    Eventually.await(
        "the latency of every complete event counted",
        PATIENCE,
        () -> pipeline.distribution("notificationToCompleteMillis").getCount() >= 25);
    assertEquals(25, pipeline.distribution("notificationToCompleteMillis").getCount());
    assertEquals(slowestEvent, pipeline.distribution("notificationToCompleteMillis").getMax());

    assertOutputsMatch(files);
    assertEquals(25, distinctEventIds(completeEvents).size());
    // Processing events go through Beam's Pub/Sub writer, which batches: they may arrive after the
    // complete events, which the pipeline publishes itself.
    List<PubsubMessage> processing = new ArrayList<>();
    Eventually.await(
        "25 processing events",
        PATIENCE,
        () -> {
          processing.addAll(pull("processing"));
          return processing.size() >= 25;
        });
    assertEquals(25, processing.size());
    assertThat(pull("dead"), empty());
    for (WorkGenerator.WorkObject file : files) {
      Map<String, String> record = job.record(file.name(), generationOf(file.name()));
      assertEquals("COMPLETED", record.get("state"));
      assertEquals("job-a", record.get("owner"));
      assertEquals(buckets.output(file.name() + ".processed").toString(), record.get("outputUri"));
    }
  }

  @Test
  public void everyNotificationDeliveredThreeTimesStillWritesEachObjectOnce() throws Exception {
    RunningPipeline pipeline = start(pipeline("a"));
    LocalBucketNotifier notifier = start(notifier(3));
    List<WorkGenerator.WorkObject> files = WorkGenerator.write(workBucket(), 20, 2L);

    awaitCompleteEvents(20);
    // Every copy decided: claimed, or dropped as a duplicate. Nothing is left to write or announce.
    Eventually.await(
        "every copy claimed or dropped",
        PATIENCE,
        () ->
            pipeline.counter("claimed")
                    + pipeline.counter("claimsReentrant")
                    + pipeline.counter("duplicates")
                >= 60);
    completeEvents.addAll(pull("complete"));

    assertEquals(60, notifier.messagesPublished());
    assertEquals(20, pipeline.counter("objectsWritten"));
    assertEquals(40, pipeline.counter("duplicates"));
    assertEquals("one complete event per object", 20, completeEvents.size());
    assertOutputsMatch(files);
    assertThat(pull("dead"), empty());
  }

  @Test
  public void overwriteProcessesBothGenerationsAndKeepsTheNewestOutput() throws Exception {
    RunningPipeline pipeline = start(pipeline("a"));
    LocalBucketNotifier notifier = start(notifier(1));
    Path source = buckets.put("report.txt", "first AWS version");
    awaitCompleteEvents(1);
    long first = generationOf("report.txt");

    Files.writeString(source, "second AWS version, longer", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(
        source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    awaitCompleteEvents(2);
    long second = generationOf("report.txt");

    assertThat(second, greaterThanOrEqualTo(first + 1));
    assertEquals(
        Set.of(
            generationKey("report.txt", first) + ":complete",
            generationKey("report.txt", second) + ":complete"),
        distinctEventIds(completeEvents));
    assertEquals("second GCP version, longer", buckets.outputText("report.txt.processed"));
    assertEquals(Long.toString(second), job.latest("report.txt"));
    Eventually.await(
        "the overwritten generation's delete skipped",
        PATIENCE,
        () -> pipeline.counter("skippedNotFinalize") >= 1);
    assertEquals(1, notifier.deletesPublished());
    assertThat(pull("dead"), empty());
  }

  @Test
  public void nonFinalizeEventsProduceNoOutputsAndNoDeadLetters() throws Exception {
    RunningPipeline pipeline = start(pipeline("a"));
    job.publish(
        List.of(
            Notifications.sample("archive.json"),
            Notifications.sample("metadata-update.json"),
            Notifications.sample("delete-after-overwrite.json"),
            Notifications.sample("finalize-folder-placeholder.json")));

    Eventually.await(
        "four notifications skipped",
        PATIENCE,
        () ->
            pipeline.counter("skippedNotFinalize") + pipeline.counter("skippedFolderPlaceholder")
                == 4);
    // A new object after them: once it is announced, the pipeline has published whatever it
    // would have for the four.
    buckets.put("marker.txt", "AWS marker");
    job.publish(List.of(newObject("marker.txt", 1L, bytes("AWS marker"), "marker")));
    String marker = generationKey("marker.txt", 1L);

    assertEquals(List.of(marker + ":complete"), eventIds(awaitEvents("complete")));
    assertEquals(List.of(marker + ":processing"), eventIds(awaitEvents("processing")));
    assertEquals(List.of("marker.txt.processed"), buckets.outputs());
    assertThat(pull("dead"), empty());
  }

  @Test
  public void malformedMessagesBesideGoodOnesAreDeadLetteredWithTheOriginal() throws Exception {
    start(pipeline("a"));
    start(notifier(1));
    List<PubsubMessage> bad = BadMessages.make(3, BUCKET);
    List<String> badIds = job.publish(bad);
    List<WorkGenerator.WorkObject> files = WorkGenerator.write(workBucket(), 5, 3L);

    awaitCompleteEvents(5);
    List<PubsubMessage> deadLetters = new ArrayList<>();
    Eventually.await(
        "three dead letters",
        PATIENCE,
        () -> {
          deadLetters.addAll(pull("dead"));
          return deadLetters.size() >= 3;
        });

    assertOutputsMatch(files);
    Map<String, PubsubMessage> byOriginalId = new HashMap<>();
    for (PubsubMessage deadLetter : deadLetters) {
      byOriginalId.put(deadLetter.getAttribute("originalMessageId"), deadLetter);
    }
    assertEquals(Set.copyOf(badIds), byOriginalId.keySet());
    for (int i = 0; i < bad.size(); i++) {
      PubsubMessage original = bad.get(i);
      PubsubMessage deadLetter = byOriginalId.get(badIds.get(i));
      assertArrayEquals(original.getPayload(), deadLetter.getPayload());
      original.getAttributeMap().forEach((k, v) -> assertEquals(v, deadLetter.getAttribute(k)));
      assertEquals("ParseNotifications", deadLetter.getAttribute("errorStage"));
      assertThat(deadLetter.getAttribute("failedAt"), startsWith("20"));
    }
    assertEquals(
        Set.of("MalformedJson", "MissingAttribute", "UnsafeObjectName"),
        Set.of(
            byOriginalId.get(badIds.get(0)).getAttribute("errorType"),
            byOriginalId.get(badIds.get(1)).getAttribute("errorType"),
            byOriginalId.get(badIds.get(2)).getAttribute("errorType")));
  }

  @Test
  public void pipelineStoppedMidBatchIsRecoveredByReconcileAndRewritesNothingDone()
      throws Exception {
    RunningPipeline first = start(pipeline("a"));
    LocalBucketNotifier firstNotifier = start(notifier(1));
    List<WorkGenerator.WorkObject> files = WorkGenerator.write(workBucket(), 40, 4L);
    Eventually.await("some objects completed", PATIENCE, () -> completedCount(files) >= 8);

    // Stop mid-batch: the DirectRunner loses what it had read but not finished.
    first.close();
    firstNotifier.close();
    Map<String, Object> doneBeforeStop = new HashMap<>();
    for (WorkGenerator.WorkObject file : files) {
      if ("COMPLETED".equals(job.record(file.name(), generationOf(file.name())).get("state"))) {
        doneBeforeStop.put(file.name(), identity(buckets.output(file.name() + ".processed")));
      }
    }

    // Start again as the local stack does: a pipeline on the same subscription (what Pub/Sub
    // redelivers), a notifier that adopts the files already there, and reconcile for those.
    start(
        RunningPipeline.start(
            job.args("b").readingAs("a").with("--claimLease=5s").with("--dedupeTtl=10s").build()));
    LocalBucketNotifier adopting = start(notifierBuilder(1).adoptPresentFiles().build());
    adopting.scanOnce();
    adopting.scanOnce();
    assertEquals(40, adopting.adopted().size());
    List<String> reconcile = new ArrayList<>(List.of("reconcile", "--bucket=" + BUCKET));
    reconcile.addAll(job.args("r").with("--claimLease=5s").with("--dedupeTtl=10s").build());
    CommandRun run = CommandRun.of(GcsRewriteCli::execute, reconcile);
    assertEquals(run.out() + run.err(), ExitCode.OK, run.code());

    assertEquals(40, completedCount(files));
    assertOutputsMatch(files);
    for (Map.Entry<String, Object> done : doneBeforeStop.entrySet()) {
      assertEquals(
          done.getKey() + " was completed before the stop and must not be written again",
          done.getValue(),
          identity(buckets.output(done.getKey() + ".processed")));
    }
    awaitCompleteEvents(40);
    assertEquals(0, adopting.finalizesPublished());
    assertThat(pull("dead"), empty());
  }

  // ---- fixtures ----

  private RunningPipeline pipeline(String reader) {
    return RunningPipeline.start(
        job.args(reader).with("--claimLease=5s").with("--dedupeTtl=10s").build());
  }

  private LocalBucketNotifier notifier(int duplicates) {
    LocalBucketNotifier notifier = notifierBuilder(duplicates).build();
    notifier.start();
    return notifier;
  }

  private LocalBucketNotifier.Builder notifierBuilder(int duplicates) {
    return LocalBucketNotifier.builder(
            buckets.bucketRoot(),
            messages -> PUBSUB.admin().publish(job.name() + "-work", messages))
        .duplicates(duplicates)
        .pollInterval(Duration.ofMillis(100));
  }

  private <T extends AutoCloseable> T start(T component) {
    running.add(component);
    return component;
  }

  private Path workBucket() {
    return buckets.bucketRoot().resolve(BUCKET);
  }

  private List<PubsubMessage> pull(String topic) {
    return job.pull(topic);
  }

  /** Pulls {@code topic} until a message has come; all that came. */
  private List<PubsubMessage> awaitEvents(String topic) throws InterruptedException {
    List<PubsubMessage> events = job.awaitMessages(topic, 1, PATIENCE);
    events.addAll(pull(topic));
    return events;
  }

  private static List<String> eventIds(List<PubsubMessage> events) {
    return events.stream().map(e -> e.getAttribute("eventId")).toList();
  }

  private void awaitCompleteEvents(int distinct) throws InterruptedException {
    Eventually.await(
        distinct + " complete events",
        PATIENCE,
        () -> {
          completeEvents.addAll(pull("complete"));
          return distinctEventIds(completeEvents).size() >= distinct;
        });
  }

  private static Set<String> distinctEventIds(List<PubsubMessage> events) {
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.getAttribute("eventId")));
    return ids;
  }

  private void assertOutputsMatch(List<WorkGenerator.WorkObject> files) throws IOException {
    for (WorkGenerator.WorkObject file : files) {
      String source = Files.readString(file.path(), StandardCharsets.UTF_8);
      assertEquals(
          file.name(),
          source.replace("AWS", "GCP"),
          buckets.outputText(file.name() + ".processed"));
    }
  }

  private int completedCount(List<WorkGenerator.WorkObject> files) {
    int completed = 0;
    for (WorkGenerator.WorkObject file : files) {
      if ("COMPLETED".equals(job.record(file.name(), generationOf(file.name())).get("state"))) {
        completed++;
      }
    }
    return completed;
  }

  /** The generation the notifier gave a file: its modification time in microseconds. */
  private long generationOf(String objectId) {
    try {
      return Files.getLastModifiedTime(buckets.source(objectId))
          .to(java.util.concurrent.TimeUnit.MICROSECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What changes when a file is written again: its inode and modification time. */
  private static Object identity(Path file) {
    try {
      return List.of(Files.getAttribute(file, "unix:ino"), Files.getLastModifiedTime(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
