package dev.gcsrewrite.local.servers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server the local stack started: its own process, its output in a log file, stopped by its
 * process ID when the stack stops, so that nothing outlives the run that started it.
 *
 * <p>Not even a run that is killed: a JVM killed with SIGKILL runs no shutdown hook, and its
 * servers would live on holding their ports (the next run could not start) and, for Redis, the
 * claims it must recover from. So each server is started through a watchdog: a shell that starts a
 * subshell reading the server's standard input, a pipe from this JVM, and then replaces itself with
 * the server (same process ID). When this JVM ends, however it ends, the pipe closes, the subshell
 * reads its end and stops the server with SIGTERM, which lets Redis write its append-only file and
 * exit cleanly.
 */
public final class ChildProcess implements AutoCloseable {
  /**
   * Runs {@code "$@"} as this shell's own process: {@code $$} in the subshell is that process ID,
   * and {@code exec} keeps it. The subshell keeps reading standard input (the JVM never writes to
   * it) until it ends; the server reads /dev/null instead.
   */
  private static final String WATCHDOG =
      "exec 3<&0; { while read -r _ <&3; do :; done; kill -TERM $$ 2>/dev/null; } &"
          + " exec \"$@\" </dev/null 3<&-";

  private final String name;
  private final Process process;
  private final Path log;

  /**
   * The JIT option of the JVMs the local stack, the soak and the tests start: C1 only. They live
   * minutes, and C2 compiling the DirectRunner's (or the emulator's) code costs more CPU than it
   * wins back (docs/benchmarks.md, "mvn -B verify: 19 minutes to 10").
   */
  public static final String SHORT_LIVED_JIT = "-XX:TieredStopAtLevel=1";

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code directory}, its output (both streams) going to {@code log}.
   */
  public static ChildProcess start(String name, List<String> command, Path directory, Path log)
      throws IOException {
    List<String> watched = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, name));
    watched.addAll(command);
    Process process =
        new ProcessBuilder(watched)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new ChildProcess(name, process, log);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /**
   * Waits until the process accepts TCP connections on {@code port} of the loopback interface.
   *
   * @throws IOException if it exits or does not listen in time; the message ends with its log
   */
  public void awaitListening(int port, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with status " + process.exitValue() + logTail());
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    close();
    throw new IOException(
        name
            + " did not listen on port "
            + port
            + " within "
            + timeout.toSeconds()
            + " s"
            + logTail());
  }

  /** Stops the process: politely (SIGTERM), then by force after ten seconds. */
  @Override
  public void close() {
    try {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      closeWatchdog();
    }
  }

  /** The server is stopping: its watchdog, reading the pipe, may end too. */
  private void closeWatchdog() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Nothing to stop then.
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return tail.isEmpty() ? "" : "; its log ends: " + String.join(" | ", tail);
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
