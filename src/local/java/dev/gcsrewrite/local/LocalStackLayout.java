package dev.gcsrewrite.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The local stack's folders below its work directory: buckets (one folder per bucket), the
 * processed bucket, and the servers' files and logs. Each run starts from empty folders; a marker
 * file guards against emptying a folder the stack did not make.
 */
final class LocalStackLayout {
  private static final String MARKER = ".gcs-rewrite-local-run";
  private final Path workDir;
  private final String bucket;

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

  Path pipelineLog() {
    return workDir.resolve("pipeline.log");
  }

  /** Empties the folders of an earlier run and makes them again. */
  void prepare() throws IOException, LocalStack.StartupException {
    if (Files.isDirectory(workDir) && !Files.exists(workDir.resolve(MARKER))) {
      try (Stream<Path> entries = Files.list(workDir)) {
        if (entries.findAny().isPresent()) {
          throw new LocalStack.StartupException(
              workDir + " is not empty and was not made by run-local; pass another --work-dir");
        }
      }
    }
    for (Path folder : List.of(buckets(), processed(), emulatorDir(), redisDir())) {
      Folders.deleteTree(folder);
    }
    Files.deleteIfExists(pipelineLog());
    Files.createDirectories(workBucket());
    Files.createDirectories(processed());
    Files.writeString(workDir.resolve(MARKER), "made by scripts/run-local.sh\n");
  }
}
