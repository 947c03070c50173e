package dev.gcsrewrite.local.servers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Google Cloud CLI's Pub/Sub emulator, started as a child process on loopback with its logging
 * at WARNING (left at its default, it logs every request and writes ~150 MB in minutes) and its JIT
 * at C1.
 */
public final class PubsubEmulatorProcess implements AutoCloseable {
  /** Environment variable naming the emulator's jar, for machines where gcloud cannot tell. */
  public static final String JAR_VARIABLE = "PUBSUB_EMULATOR_JAR";

  private final ChildProcess process;
  private final int port;

  private PubsubEmulatorProcess(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the emulator from {@code jar} on {@code port}, its files in {@code directory}. */
  public static PubsubEmulatorProcess start(Path jar, Path directory, int port) throws IOException {
    Files.createDirectories(directory);
    Path logging =
        Files.writeString(
            directory.resolve("logging.properties"),
            "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n",
            StandardCharsets.UTF_8);
    ChildProcess process =
        ChildProcess.start(
            "pubsub-emulator",
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.config.file=" + logging,
                // C1 only: the emulator's own CPU in RacingPipelinesTest, 12.7 s against 21-31 s
                // with C2 compiling its request handling (ReplayDeadLettersTest: 7.9 against
                // 11-13).
                ChildProcess.SHORT_LIVED_JIT,
                "-jar",
                jar.toString(),
                "--host=127.0.0.1",
                "--port=" + port),
            directory,
            directory.resolve("emulator.log"));
    process.awaitListening(port, Duration.ofSeconds(60));
    return new PubsubEmulatorProcess(process, port);
  }

  /**
   * The emulator's jar: {@code $PUBSUB_EMULATOR_JAR}, or the one in the Google Cloud CLI's
   * installation ({@code gcloud info}). gcloud runs with its configuration (and the log file it
   * writes for every command) in {@code scratch}, so that asking leaves nothing behind in the
   * user's gcloud folder.
   *
   * @throws IOException saying what to install when there is none
   */
  public static Path findJar(Path scratch) throws IOException {
    String explicit = System.getenv(JAR_VARIABLE);
    if (explicit != null && !explicit.isEmpty()) {
      Path jar = Path.of(explicit);
      if (!Files.isRegularFile(jar)) {
        throw new IOException(JAR_VARIABLE + " names " + jar + ", which is not a file");
      }
      return jar;
    }
    String missing =
        "the Pub/Sub emulator is missing: install the Google Cloud CLI component"
            + " (gcloud components install pubsub-emulator, or the Debian package"
            + " google-cloud-cli-pubsub-emulator), or set "
            + JAR_VARIABLE;
    String root;
    try {
      ProcessBuilder info =
          new ProcessBuilder("gcloud", "info", "--format=value(installation.sdk_root)");
      info.environment().put("CLOUDSDK_CONFIG", scratch.resolve("gcloud-config").toString());
      Process gcloud = info.start();
      root = new String(gcloud.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      gcloud.waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IOException(missing + " (gcloud is not on PATH)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking gcloud", e);
    }
    Path lib = Path.of(root, "platform", "pubsub-emulator", "lib");
    if (!Files.isDirectory(lib)) {
      throw new IOException(missing);
    }
    try (Stream<Path> jars = Files.list(lib)) {
      return jars.filter(p -> p.getFileName().toString().matches("cloud-pubsub-emulator-.*\\.jar"))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new IOException(missing));
    }
  }

  /** {@code http://127.0.0.1:<port>}: Beam's {@code --pubsubRootUrl}. */
  public String rootUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.close();
  }
}
