package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.local.servers.ChildProcess;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineArgs;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The bundled jar killed with SIGKILL in the middle of a 100-file batch and started again, as a
 * user would after a crash: whatever the kill interrupted (outputs written but not settled, settled
 * but not announced, claimed but not written), a notification of every generation afterwards brings
 * each one to exactly one output, byte-equal to its rewrite, and a complete event, with nothing
 * dead-lettered.
 */
public class KilledPipelineLosesNothingIT {
  private static final Path JAR = Path.of("target", "gcs-rewrite-bundled.jar").toAbsolutePath();
  private static final Duration PATIENCE = Duration.ofSeconds(240);
  private static final int FILES = 100;
  private static final long GENERATION = 1764000000000001L;
  // Short leases: reconcile waits for the claims the killed job held until they end.
  private static final List<String> SHORT_LEASES = List.of("--claimLease=20s", "--dedupeTtl=20s");

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  @Test
  public void killedMidBatchThenRestartedAndReconciledEveryGenerationEndsOnceAndAnnounced()
      throws Exception {
    buckets.setVersioned(true);
    List<PubsubMessage> notifications = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      String content = content(i);
      buckets.putGeneration(name(i), GENERATION, content);
      notifications.add(
          newObject(name(i), GENERATION, content.getBytes(StandardCharsets.UTF_8).length, ""));
    }

    Process first = start("first", List.of());
    try {
      job.publish(notifications);
      Eventually.await(
          "a quarter of the outputs written before the kill",
          PATIENCE,
          () -> {
            assertTrue("the first job exited before its kill", first.isAlive());
            return buckets.outputs().size() >= FILES / 4;
          });
    } finally {
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    int writtenAtKill = buckets.outputs().size();

    Process second = start("second", List.of());
    try {
      Process reconcile = start("reconcile", List.of("reconcile", "--bucket=" + BUCKET));
      assertTrue(
          "reconcile finished (log: " + buckets.folder("job-reconcile.log") + ")",
          reconcile.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
      assertEquals("reconcile's exit status", 0, reconcile.exitValue());
      String reconcileLog = Files.readString(buckets.folder("job-reconcile.log"));
      System.out.println(
          "Killed after "
              + writtenAtKill
              + " of "
              + FILES
              + " outputs; reconcile's "
              + reconcileLog.substring(Math.max(0, reconcileLog.indexOf("Summary"))));
      Map<String, Integer> completeEvents = new HashMap<>();
      Eventually.await(
          "a complete event for each of the " + FILES + " generations",
          PATIENCE,
          () -> {
            assertTrue("the second job exited", second.isAlive());
            for (PubsubMessage event : job.pull("complete")) {
              assertEquals("complete", event.getAttribute("eventType"));
              completeEvents.merge(event.getAttribute("eventId"), 1, Integer::sum);
            }
            return completeEvents.size() >= FILES;
          });

      Set<String> expected = new HashSet<>();
      for (int i = 0; i < FILES; i++) {
        expected.add(generationKey(name(i), GENERATION) + ":complete");
        assertEquals(
            name(i) + " (killed after " + writtenAtKill + " outputs)",
            content(i).replace("AWS", "GCP"),
            buckets.outputText(name(i) + ".processed"));
      }
      assertEquals(expected, completeEvents.keySet());
      assertEquals(FILES, buckets.outputs().size());
      assertEquals(List.of(), job.pull("dead"));
    } finally {
      second.destroy();
      if (!second.waitFor(20, TimeUnit.SECONDS)) {
        second.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private Process start(String run, List<String> commandAndArgs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ChildProcess.SHORT_LIVED_JIT);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(commandAndArgs);
    PipelineArgs options = job.args("a").with("--workBuckets=" + BUCKET);
    for (String option : SHORT_LEASES) {
      options.with(option);
    }
    command.addAll(options.build());
    Path log = buckets.folder("job-" + run + ".log");
    Files.deleteIfExists(log);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().put("NO_GCE_CHECK", "true");
    return builder.start();
  }

  private static String name(int i) {
    return String.format("batch/file-%03d.txt", i);
  }

  private static String content(int i) {
    return ("line " + i + " of AWS, AWSAWS and aws\n").repeat(20 + i % 50);
  }
}
