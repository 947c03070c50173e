package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.withAttribute;
import static dev.gcsrewrite.testing.Notifications.withBodyField;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.gcsrewrite.local.servers.ChildProcess;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The message that once stopped the job, sent to the bundled jar as a user runs it (its own JVM,
 * the real emulator, a real redis-server): an object name of 1,100 bytes. Its dead letter is
 * published, and the process lives on and does the good work sent after it.
 */
public class BundledJarSurvivesHostileInputIT {
  private static final Path JAR = Path.of("target", "gcs-rewrite-bundled.jar").toAbsolutePath();
  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  @Test
  public void elevenHundredByteNameIsDeadLetteredAndTheJobGoesOn() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ChildProcess.SHORT_LIVED_JIT);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(job.args("a").with("--workBuckets=" + BUCKET).build());
    Path log = buckets.folder("jar.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().put("NO_GCE_CHECK", "true");
    Process process = builder.start();
    try {
      String longName = "n".repeat(1100);
      PubsubMessage hostile =
          withBodyField(
              withAttribute(newObject("x", 1, 1, ""), "objectId", longName),
              "name",
              TextNode.valueOf(longName));
      String hostileId = job.publish(List.of(hostile)).get(0);

      List<PubsubMessage> dead = new ArrayList<>();
      Eventually.await(
          "the dead letter of the 1,100-byte name (job log: " + log + ")",
          PATIENCE,
          () -> {
            assertTrue("the job exited: see " + log, process.isAlive());
            dead.addAll(job.pull("dead"));
            return !dead.isEmpty();
          });
      assertEquals(1, dead.size());
      assertEquals(hostileId, dead.get(0).getAttribute("originalMessageId"));
      assertEquals("UnsafeObjectName", dead.get(0).getAttribute("errorType"));
      assertEquals("envelope", dead.get(0).getAttribute("deadLetterFormat"));

      buckets.put("good.txt", "AWS good");
      job.publish(List.of(newObject("good.txt", 2, 8, "")));
      Eventually.await(
          "the good work sent after it (job log: " + log + ")",
          PATIENCE,
          () -> {
            assertTrue("the job exited: see " + log, process.isAlive());
            return Files.exists(buckets.output("good.txt.processed"));
          });
      assertEquals("GCP good", buckets.outputText("good.txt.processed"));
      assertTrue("the job is still running", process.isAlive());
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
