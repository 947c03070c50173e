package dev.gcsrewrite.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server the local stack started: its own process, its output in a log file, stopped by its
 * process ID when the stack stops, so that nothing outlives the run that started it.
 */
public final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

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
    Process process =
        new ProcessBuilder(command)
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
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
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
