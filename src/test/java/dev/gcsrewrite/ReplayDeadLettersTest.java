package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A dead letter fixed and replayed, by hand and with the replay command: the original message taken
 * back out of the dead letter, republished with the replay marker, is processed once, while a plain
 * republish of it is still a duplicate to the running pipeline.
 */
public class ReplayDeadLettersTest {
  private static final long GENERATION = 1764064800000001L;
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  @Test
  public void unreadableSourceMadeReadableAndReplayedIsProcessedOnce() throws Exception {
    // A folder where the object should be: it exists but can never be read.
    Path source = buckets.source("report.csv");
    Files.createDirectories(source);
    try (RunningPipeline pipeline = RunningPipeline.start(job.args("a").build())) {
      job.publish(List.of(newObject("report.csv", GENERATION, 10, "m1")));
      PubsubMessage deadLetter = awaitOne("dead");
      assertEquals("SourceUnreadable", deadLetter.getAttribute("errorType"));

      // The fix: the object becomes readable.
      Files.delete(source);
      buckets.put("report.csv", "AWS report");
      OriginalMessage original = DeadLetterMessages.originalOf(deadLetter).original();

      // Republished as it was, the pipeline still remembers the generation: dropped.
      job.publish(List.of(asMessage(original, null)));
      Eventually.await(
          "the plain republish to be dropped", PATIENCE, () -> pipeline.counter("duplicates") == 1);
      assertThat(buckets.outputs(), empty());

      // Replayed with the marker: it reaches the claim, which was released, and is processed.
      job.publish(List.of(asMessage(original, "operator: source fixed")));
      PubsubMessage complete = awaitOne("complete");
      assertEquals(
          BUCKET + "/report.csv#" + GENERATION + ":complete", complete.getAttribute("eventId"));
      assertEquals("GCP report", buckets.outputText("report.csv.processed"));
      assertEquals(1, pipeline.counter("replays"));
      assertEquals(1, pipeline.counter("objectsWritten"));

      // Replayed again: Redis knows it is settled, so nothing more is written or announced.
      job.publish(List.of(asMessage(original, "operator: again")));
      Eventually.await(
          "the second replay to reach Redis",
          PATIENCE,
          () -> pipeline.counter("duplicatesSeenByRedis") == 1);
      assertEquals(1, pipeline.counter("objectsWritten"));
      assertThat(job.pull("complete"), empty());
      assertThat(job.pull("dead"), empty());
      pipeline.assertRunning();
    }
  }

  @Test
  public void unreadableSourceMadeReadableAndReplayedByTheCommandIsProcessedOnce()
      throws Exception {
    String name = job.name();
    PUBSUB.createSubscription(name + "-dead-replay", name + "-dead");
    Path source = buckets.source("invoice.csv");
    Files.createDirectories(source);
    try (RunningPipeline pipeline = RunningPipeline.start(job.args("a").build())) {
      job.publish(List.of(newObject("invoice.csv", GENERATION, 11, "m1")));
      PubsubMessage deadLetter = awaitOne("dead");
      assertEquals("SourceUnreadable", deadLetter.getAttribute("errorType"));

      // A dry run before the fix: says what it would do, changes nothing.
      CommandRun dryRun = replayCommand(name, "--dry-run");
      assertEquals(dryRun.err(), ExitCode.OK, dryRun.code());
      assertThat(dryRun.out(), containsString("would republish 1"));
      assertEquals(0, pipeline.counter("replays"));

      Files.delete(source);
      buckets.put("invoice.csv", "AWS invoice");
      CommandRun replay = replayCommand(name, "--errorType=SourceUnreadable");
      assertEquals(replay.err(), ExitCode.OK, replay.code());
      assertThat(replay.out(), containsString("republished     1"));

      PubsubMessage complete = awaitOne("complete");
      assertEquals(
          BUCKET + "/invoice.csv#" + GENERATION + ":complete", complete.getAttribute("eventId"));
      assertEquals("GCP invoice", buckets.outputText("invoice.csv.processed"));
      assertEquals(1, pipeline.counter("replays"));

      // The dead letter was acknowledged: a second replay finds nothing to do.
      CommandRun again = replayCommand(name);
      assertEquals(again.err(), ExitCode.OK, again.code());
      assertThat(again.out(), containsString("read            0 dead letters"));
      assertEquals(1, pipeline.counter("replays"));
      assertEquals(1, pipeline.counter("objectsWritten"));
      assertThat(job.pull("complete"), empty());
      assertThat(job.pull("dead"), empty());
      pipeline.assertRunning();
    }
  }

  private static CommandRun replayCommand(String name, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "--from=" + PubsubEmulator.subscription(name + "-dead-replay"),
                "--to=" + PubsubEmulator.topic(name + "-work"),
                "--pubsubRootUrl=" + PUBSUB.rootUrl(),
                "--project=" + PubsubEmulator.PROJECT,
                "--credentialFactoryClass="
                    + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory"));
    args.addAll(List.of(options));
    return CommandRun.of(GcsRewriteCli::execute, args);
  }

  private static PubsubMessage asMessage(OriginalMessage original, String replay) {
    Map<String, String> attributes = new HashMap<>(original.attributes());
    if (replay != null) {
      attributes.put(NotificationParser.REPLAY, replay);
    }
    return new PubsubMessage(original.payload(), attributes);
  }

  /** The one message that has come on {@code topic}. */
  private PubsubMessage awaitOne(String topic) throws InterruptedException {
    List<PubsubMessage> messages = job.awaitMessages(topic, 1, PATIENCE);
    assertEquals(1, messages.size());
    return messages.get(0);
  }
}
