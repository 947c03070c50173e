package dev.gcsrewrite.benchmark;

import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.WorkGenerator;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * A backfill of pre-existing local files through the reconcile command, as an operator runs it:
 * {@code bench.files} files (5,000 by default, up to 2 KiB of text with tokens, from the local
 * stack's work generator) in a bucket folder nothing has announced, an empty Redis, the Pub/Sub
 * emulator for the audit topics. Prints the command's progress and summary, its wall time and
 * objects/s, then checks every output byte for byte against its source with {@code AWS -> GCP} and
 * that the complete topic got one distinct event per file. Not a test (surefire skips {@code
 * *Benchmark}); run it with {@code mvn -B -q test-compile exec:exec@reconcile-benchmark
 * [-Dbench.files=N] [-Dbench.options="--more --options"]}. Files live under {@code
 * target/reconcile-benchmark}, deleted after.
 */
public final class ReconcileBenchmark {
  private static final String PROJECT = "bench-project";

  /** Held, so that the level set on it is not lost with a collected logger. */
  private static final java.util.logging.Logger OWN_LOGS =
      java.util.logging.Logger.getLogger("dev.gcsrewrite");

  private ReconcileBenchmark() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(System.getProperty("bench.files", "5000"));
    // The command's progress and summary are the output; a log line per object would drown them.
    OWN_LOGS.setLevel(java.util.logging.Level.WARNING);
    Path root =
        Path.of(System.getProperty("bench.dir", "target/reconcile-benchmark")).toAbsolutePath();
    Folders.deleteTree(root);
    Path buckets = root.resolve("buckets");
    Path bucket = buckets.resolve(Notifications.BUCKET);
    Path processed = root.resolve("processed");
    Files.createDirectories(bucket);
    List<WorkGenerator.WorkObject> files = WorkGenerator.write(bucket, count, 42L);
    System.out.printf(Locale.ROOT, "bucket: %d files in %s%n", files.size(), bucket);
    boolean ok;
    try (LocalRedis redis = new LocalRedis().open();
        PubsubEmulatorProcess emulator =
            PubsubEmulatorProcess.start(
                PubsubEmulatorProcess.findJar(root), root.resolve("emulator"), Ports.free())) {
      PubsubAdmin pubsub = new PubsubAdmin(emulator.rootUrl(), PROJECT);
      for (String topic : List.of("processing", "complete", "dead")) {
        pubsub.createTopic(topic);
      }
      pubsub.createSubscription("complete-watch", "complete", 60);
      pubsub.createSubscription("dead-watch", "dead", 60);
      List<String> command =
          new java.util.ArrayList<>(
              List.of(
                  "reconcile",
                  "--bucket=" + Notifications.BUCKET,
                  "--runner=DirectRunner",
                  "--project=" + PROJECT,
                  "--pubsubRootUrl=" + emulator.rootUrl(),
                  "--credentialFactoryClass="
                      + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
                  "--bucketRoot=" + buckets,
                  "--processedBucket=" + processed,
                  "--rewriteRules=AWS=GCP",
                  "--processingTopic=" + pubsub.topic("processing"),
                  "--completeTopic=" + pubsub.topic("complete"),
                  "--deadLetterTopic=" + pubsub.topic("dead"),
                  "--redisHost=127.0.0.1",
                  "--redisPort=" + redis.port(),
                  "--jobName=bench"));
      // Any other option, e.g. -Dbench.options="--enforceImmutability=false --targetParallelism=4"
      for (String option : System.getProperty("bench.options", "").split(" ")) {
        if (!option.isBlank()) {
          command.add(option);
        }
      }
      System.out.println("command: gcs-rewrite " + String.join(" ", command));
      long started = System.nanoTime();
      ExitCode code = GcsRewriteCli.execute(command, System.out, System.err);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%nreconcile of %d files: exit %s, %.1f s wall, %.0f objects/s (Beam start included)%n",
          count,
          code,
          seconds,
          count / seconds);
      ok = code == ExitCode.OK;
      ok &= checkOutputs(files, processed);
      ok &= checkEvents(pubsub, count);
    }
    Folders.deleteTree(root);
    System.out.println(ok ? "result: OK" : "result: FAILED");
    if (!ok) {
      System.exit(1);
    }
  }

  private static boolean checkOutputs(List<WorkGenerator.WorkObject> files, Path processed)
      throws Exception {
    int good = 0;
    for (WorkGenerator.WorkObject file : files) {
      Path output = processed.resolve(file.name() + ".processed");
      String expected =
          Files.readString(file.path(), StandardCharsets.US_ASCII).replace("AWS", "GCP");
      if (Files.exists(output)
          && Files.readString(output, StandardCharsets.US_ASCII).equals(expected)) {
        good++;
      }
    }
    System.out.printf(
        Locale.ROOT, "outputs: %d of %d equal their source with AWS -> GCP%n", good, files.size());
    return good == files.size();
  }

  private static boolean checkEvents(PubsubAdmin pubsub, int count) throws Exception {
    Set<String> ids = new HashSet<>();
    int messages = 0;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (ids.size() < count && System.nanoTime() < deadline) {
      List<PubsubMessage> pulled = pubsub.pull("complete-watch", 1000);
      messages += pulled.size();
      for (PubsubMessage m : pulled) {
        ids.add(m.getAttribute("eventId"));
      }
    }
    int dead = pubsub.pull("dead-watch", 1000).size();
    System.out.printf(
        Locale.ROOT,
        "complete topic: %d events, %d distinct generations; dead letters: %d%n",
        messages,
        ids.size(),
        dead);
    return ids.size() == count && dead == 0;
  }
}
