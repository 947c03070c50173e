package dev.gcsrewrite.soak;

import dev.gcsrewrite.local.servers.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The pipeline JVMs of the soak, each {@code java -jar gcs-rewrite-bundled.jar} on the
 * DirectRunner: role {@code a} always runs (started again after every kill), role {@code b} while
 * the second-pipeline fault has it running. Both read one subscription and share Redis and the
 * output folder, as two Dataflow workers would. Each JVM has a job name of its own ({@code
 * soak-a-1}, {@code soak-a-2}, ...), which is its claims' owner, so that a reconcile run can name a
 * killed one as stopped, as the local stack does on start.
 *
 * <p>Every JVM is started through {@link ChildProcess}'s watchdog: none outlives the soak's JVM.
 * Signals go to the JVM's own process ID.
 */
final class Pipelines implements AutoCloseable {
  /** One pipeline JVM. */
  static final class Run {
    final String role;
    final String jobName;
    final ChildProcess process;
    volatile boolean stoppedOnPurpose;

    Run(String role, String jobName, ChildProcess process) {
      this.role = role;
      this.jobName = jobName;
      this.process = process;
    }

    long pid() {
      return process.pid();
    }

    @Override
    public String toString() {
      return jobName + " (pid " + pid() + ")";
    }
  }

  /** A pipeline that ended without the soak ending it. */
  record UnexpectedExit(String jobName, String logTail) {}

  private final Path jar;
  private final List<String> options;
  private final List<String> streamingOptions;
  private final Path logs;
  private final Path loggingConfig;
  // Guarded by this.
  private final List<Run> running = new ArrayList<>();
  private final List<UnexpectedExit> unexpectedExits = new ArrayList<>();
  private final List<String> failedReconciles = new ArrayList<>();
  private int started;
  private int reconciles;
  private @Nullable Process reconcile;

  /**
   * Pipelines from {@code jar} with {@code options} (what the streaming pipelines and the reconcile
   * runs share) and {@code streamingOptions} (the pipelines' own: the subscription, the lease),
   * logging into {@code logs}.
   */
  Pipelines(Path jar, List<String> options, List<String> streamingOptions, Path logs)
      throws IOException {
    this.jar = jar;
    this.options = List.copyOf(options);
    this.streamingOptions = List.copyOf(streamingOptions);
    this.logs = logs;
    Files.createDirectories(logs);
    // The product's own lines at INFO (claims lost, repairs, Redis outages), Beam's at WARNING.
    this.loggingConfig =
        Files.writeString(
            logs.resolve("logging.properties"),
            String.join(
                "\n",
                "handlers=java.util.logging.ConsoleHandler",
                "java.util.logging.ConsoleHandler.level=ALL",
                "java.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n",
                ".level=WARNING",
                "dev.gcsrewrite.level=INFO",
                ""),
            StandardCharsets.UTF_8);
  }

  /** Starts a pipeline in {@code role} with a new job name. */
  Run start(String role) throws IOException {
    String jobName;
    synchronized (this) {
      started++;
      jobName = "soak-" + role + "-" + started;
    }
    List<String> command = java();
    command.addAll(options);
    command.addAll(streamingOptions);
    command.add("--jobName=" + jobName);
    ChildProcess process =
        ChildProcess.start(jobName, command, logs, logs.resolve(jobName + ".log"));
    Run run = new Run(role, jobName, process);
    synchronized (this) {
      running.add(run);
    }
    return run;
  }

  /**
   * Waits until {@code run} has logged that its pipeline is starting (it then reads its
   * subscription within a second or two), for at most {@code patience}; returns whether it did.
   */
  boolean awaitStarted(Run run, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    String line = "Starting " + run.jobName + ":";
    while (System.nanoTime() < deadline && run.process.isAlive()) {
      try {
        if (Files.readString(run.process.log(), StandardCharsets.UTF_8).contains(line)) {
          return true;
        }
      } catch (IOException notYet) {
        // Read again below.
      }
      Thread.sleep(250);
    }
    return false;
  }

  /** The running pipelines, oldest first. */
  synchronized List<Run> running() {
    return List.copyOf(running);
  }

  synchronized @Nullable Run inRole(String role) {
    for (Run run : running) {
      if (run.role.equals(role)) {
        return run;
      }
    }
    return null;
  }

  /** Kills {@code run} with SIGKILL and waits for it to be gone. */
  void kill(Run run) throws IOException {
    run.stoppedOnPurpose = true;
    ProcessHandle.of(run.pid()).ifPresent(ProcessHandle::destroyForcibly);
    awaitExit(run);
    run.process.close();
    forget(run);
  }

  /** Stops {@code run} with SIGTERM (SIGKILL after ten seconds) and waits for it to be gone. */
  void terminate(Run run) {
    run.stoppedOnPurpose = true;
    run.process.close();
    forget(run);
  }

  /** SIGSTOP, then SIGCONT after {@code duration}: the JVM does nothing meanwhile. */
  void freeze(Run run, Duration duration) throws IOException, InterruptedException {
    signal("STOP", run);
    try {
      Thread.sleep(duration.toMillis());
    } finally {
      signal("CONT", run);
    }
  }

  /**
   * Runs {@code gcs-rewrite reconcile} over {@code bucket} as the local stack does when it starts
   * after a killed run: the stopped jobs' claims are taken over at once. Returns whether it ended
   * well; a failure is remembered for the report.
   */
  boolean reconcile(String bucket, List<String> stoppedJobs, List<String> reconcileOptions)
      throws IOException, InterruptedException {
    int number;
    synchronized (this) {
      number = ++reconciles;
    }
    List<String> command = java();
    command.add("reconcile");
    command.add("--bucket=" + bucket);
    for (String job : stoppedJobs) {
      command.add("--stopped-job=" + job);
    }
    command.addAll(options);
    command.addAll(reconcileOptions);
    command.add("--jobName=soak-reconcile-" + number);
    Path log = logs.resolve("soak-reconcile-" + number + ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    synchronized (this) {
      reconcile = process;
    }
    boolean ended = process.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    synchronized (this) {
      reconcile = null;
      if (!ended || process.exitValue() != 0) {
        failedReconciles.add(
            "soak-reconcile-"
                + number
                + (ended ? " exited with status " + process.exitValue() : " ran over 10 minutes")
                + " (log: "
                + log
                + ")");
        return false;
      }
    }
    return true;
  }

  /**
   * The pipelines that ended without the soak stopping them since the last call: each is recorded
   * (a violation) and forgotten, for the caller to start again.
   */
  List<Run> exitedOnTheirOwn() {
    List<Run> exited = new ArrayList<>();
    synchronized (this) {
      for (Run run : running) {
        if (!run.stoppedOnPurpose && !run.process.isAlive()) {
          exited.add(run);
        }
      }
      running.removeAll(exited);
    }
    for (Run run : exited) {
      run.process.close();
      synchronized (this) {
        unexpectedExits.add(new UnexpectedExit(run.jobName, tail(run.process.log())));
      }
    }
    return exited;
  }

  synchronized List<UnexpectedExit> unexpectedExits() {
    return List.copyOf(unexpectedExits);
  }

  synchronized List<String> failedReconciles() {
    return List.copyOf(failedReconciles);
  }

  synchronized int started() {
    return started;
  }

  synchronized int reconciles() {
    return reconciles;
  }

  /** Stops every pipeline (continued first, should one be frozen) and a reconcile in progress. */
  @Override
  public void close() {
    Process inProgress;
    synchronized (this) {
      inProgress = reconcile;
    }
    if (inProgress != null) {
      inProgress.destroyForcibly();
    }
    for (Run run : running()) {
      try {
        signal("CONT", run);
      } catch (IOException | InterruptedException e) {
        // Stopped anyway below.
      }
      terminate(run);
    }
  }

  private List<String> java() {
    // env keeps the process ID (it executes java in its place) and tells Google's libraries not to
    // look for a metadata server.
    return new ArrayList<>(
        List.of(
            "/usr/bin/env",
            "NO_GCE_CHECK=true",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            // As scripts/run-local.sh runs the pipeline: C1 only, cheaper for a life of minutes.
            ChildProcess.SHORT_LIVED_JIT,
            "-Djava.util.logging.config.file=" + loggingConfig,
            "-jar",
            jar.toString()));
  }

  private synchronized void forget(Run run) {
    running.remove(run);
  }

  private static void awaitExit(Run run) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (run.process.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(run + " is still alive 30 s after SIGKILL");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private static void signal(String signal, Run run) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(run.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + run + " failed");
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
