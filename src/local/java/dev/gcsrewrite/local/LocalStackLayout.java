package dev.gcsrewrite.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The local stack's folders below its work directory: buckets (one folder per bucket), the
 * processed bucket, and the servers' files and logs. A marker file guards against emptying a folder
 * the stack did not make.
 *
 * <p>A run starts from empty folders, unless the last run there did not finish its work: killed,
 * stopped with Ctrl-C before it was idle, or its check failed. A run records that it is under way
 * in {@value #UNFINISHED} (with its process ID) and removes the file only once all its work was
 * done and checked; a run that finds the file recovers the one that left it: buckets, outputs, the
 * generation store and Redis's append-only file are kept for the reconcile command to settle.
 */
final class LocalStackLayout {
  private static final String MARKER = ".gcs-rewrite-local-run";
  private static final String UNFINISHED = "unfinished-run";
  private final Path workDir;
  private final String bucket;

  /**
   * How a run starts.
   *
   * @param recovering whether on the folders and Redis data of a run that did not finish (else from
   *     empty folders)
   * @param previousJob the job name of the run recovered, when it recorded one
   */
  record Start(boolean recovering, @Nullable String previousJob) {}

  LocalStackLayout(Path workDir, String bucket) {
    this.workDir = workDir;
    this.bucket = bucket;
  }

  Path buckets() {
    return workDir.resolve("buckets");
  }

  Path workBucket() {
    return buckets().resolve(bucket);
  }

  Path processed() {
    return workDir.resolve("processed");
  }

  Path emulatorDir() {
    return workDir.resolve("emulator");
  }

  Path redisDir() {
    return workDir.resolve("redis");
  }

  /** Redis's own files: its append-only file survives a killed run. */
  Path redisData() {
    return redisDir().resolve("data");
  }

  Path pipelineLog() {
    return workDir.resolve("pipeline.log");
  }

  /**
   * Makes the folders of a run: recovers an unfinished run unless {@code fresh}, else empties the
   * folders of an earlier run. Either way the run is recorded as under way, as job {@code jobName}
   * (the owner of its claims, which a run recovering it may take over).
   *
   * @throws LocalStack.StartupException if the folder was not made by the stack, or another stack
   *     is running in it
   */
  Start prepare(boolean fresh, String jobName) throws IOException, LocalStack.StartupException {
    if (Files.isDirectory(workDir) && !Files.exists(workDir.resolve(MARKER))) {
      try (Stream<Path> entries = Files.list(workDir)) {
        if (entries.findAny().isPresent()) {
          throw new LocalStack.StartupException(
              workDir + " is not empty and was not made by run-local; pass another --work-dir");
        }
      }
    }
    List<String> previous = unfinishedRun();
    long previousPid = previous.isEmpty() ? -1 : pid(previous.get(0));
    if (isRunningStack(previousPid)) {
      throw new LocalStack.StartupException(
          "another run-local (pid "
              + previousPid
              + ") is using "
              + workDir
              + "; stop it or pass another --work-dir");
    }
    boolean recovering = !previous.isEmpty() && !fresh && Files.isDirectory(workBucket());
    Start start = new Start(recovering, recovering && previous.size() > 1 ? previous.get(1) : null);
    if (!recovering) {
      for (Path folder : List.of(buckets(), processed(), redisDir())) {
        Folders.deleteTree(folder);
      }
      Files.deleteIfExists(pipelineLog());
    } else {
      deleteTemporaryFiles();
    }
    // The emulator keeps nothing: what the killed run had in Pub/Sub is what reconcile recovers.
    Folders.deleteTree(emulatorDir());
    Files.createDirectories(workBucket());
    Files.createDirectories(processed());
    Files.writeString(workDir.resolve(MARKER), "made by scripts/run-local.sh\n");
    Files.writeString(
        workDir.resolve(UNFINISHED),
        ProcessHandle.current().pid() + "\n" + jobName + "\n",
        StandardCharsets.UTF_8);
    return start;
  }

  /** All the run's work was done and checked: the next run starts fresh. */
  void finished() throws IOException {
    Files.deleteIfExists(workDir.resolve(UNFINISHED));
  }

  /** The unfinished run's process ID and job name, one a line; empty if none. */
  private List<String> unfinishedRun() throws IOException {
    Path file = workDir.resolve(UNFINISHED);
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.isEmpty() ? List.of("") : lines;
  }

  private static long pid(String text) {
    return text.trim().matches("[0-9]{1,18}") ? Long.parseLong(text.trim()) : -1;
  }

  /**
   * Whether {@code pid} is a live JVM other than this one (a stack whose pid was reused is not).
   */
  private static boolean isRunningStack(long pid) {
    if (pid < 0 || pid == ProcessHandle.current().pid()) {
      return false;
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(p -> p.info().command())
        .map(command -> Path.of(command).getFileName().toString().startsWith("java"))
        .orElse(false);
  }

  /** A work generator killed mid-write leaves its temporary file beside the bucket folders. */
  private void deleteTemporaryFiles() throws IOException {
    try (Stream<Path> entries = Files.list(buckets())) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(entry)) {
          Files.deleteIfExists(entry);
        }
      }
    }
  }
}
