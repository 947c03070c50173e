package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.HostileInputs;
import dev.gcsrewrite.testing.HostileInputs.Case;
import dev.gcsrewrite.testing.HostileInputs.Expect;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Every hostile or odd input of {@link HostileInputs} published to the real emulator and read by
 * the real pipeline (PubsubIO in and out, DirectRunner, real Redis): each dead letter arrives once
 * on the dead-letter topic, each output is right, and the pipeline is still running and processing
 * good work afterwards.
 */
public class HostileInputsEmulatorTest {
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  @Test
  public void everyInputEndsRightThroughPubsubAndTheJobKeepsRunning() throws Exception {
    List<Case> cases = HostileInputs.cases();
    HostileInputs.prepare(cases, buckets);
    try (RunningPipeline pipeline =
        RunningPipeline.start(job.args("a").with("--workBuckets=" + BUCKET).build())) {
      // One at a time, so that the emulator's own refusals are seen one by one.
      Map<String, Case> byEmulatorId = new HashMap<>();
      List<String> refused = new ArrayList<>();
      for (Case c : cases) {
        try {
          byEmulatorId.put(job.publish(List.of(c.message())).get(0), c);
        } catch (UncheckedIOException e) {
          refused.add(c.scenario());
        }
      }
      // Like Pub/Sub, the emulator refuses an empty message (it cannot arrive; the TestStream run
      // covers it) and takes everything else, over-long attributes and 110 attributes included.
      assertEquals("messages the emulator refused", List.of("no payload, no attributes"), refused);

      Map<String, String> expectedDead = new TreeMap<>();
      byEmulatorId.forEach(
          (id, c) -> {
            if (c.expect() == Expect.DEAD_LETTER) {
              expectedDead.put(id, c.scenario() + ": " + c.errorType());
            }
          });
      Map<String, String> dead = new TreeMap<>();
      Eventually.await(
          expectedDead.size() + " dead letters",
          PATIENCE,
          () -> {
            for (PubsubMessage m : job.pull("dead")) {
              String id = m.getAttribute("originalMessageId");
              Case c = byEmulatorId.get(id);
              String previous =
                  dead.put(
                      id, (c == null ? "?" : c.scenario()) + ": " + m.getAttribute("errorType"));
              if (previous != null) {
                throw new AssertionError("two dead letters for " + previous);
              }
            }
            return dead.size() >= expectedDead.size();
          });
      assertEquals(expectedDead, dead);

      int outputs = 0;
      for (Case c : cases) {
        if (c.expect() == Expect.OUTPUT) {
          outputs++;
          Eventually.await(
              c.scenario(),
              PATIENCE,
              () -> Files.exists(buckets.output(c.objectId() + ".processed")));
          assertEquals(
              c.scenario(),
              c.expectedOutput(),
              Files.readString(
                  buckets.output(c.objectId() + ".processed"), StandardCharsets.UTF_8));
        }
      }
      assertThat(outputs, greaterThanOrEqualTo(25));

      // The job is alive and still does good work.
      pipeline.assertRunning();
      buckets.put("afterwards.txt", "AWS after");
      job.publish(List.of(newObject("afterwards.txt", 9, 9, "")));
      Eventually.await(
          "the good work sent afterwards",
          PATIENCE,
          () -> Files.exists(buckets.output("afterwards.txt.processed")));
      assertEquals("GCP after", buckets.outputText("afterwards.txt.processed"));
      pipeline.assertRunning();
      assertEquals(0, pipeline.counter("unpublishableMessages"));
    }
  }
}
