package dev.gcsrewrite.testing;

import dev.gcsrewrite.location.LocalGenerations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * Buckets as folders, as in local runs: {@code <root>/buckets/<bucket>/<object>} for sources and
 * {@code <root>/processed/} for outputs, in a temporary folder removed after the test.
 */
public final class LocalBuckets extends ExternalResource {
  private final TemporaryFolder folder = new TemporaryFolder();
  private final Map<String, Long> generations = new HashMap<>();
  private Path bucketRoot;
  private Path processed;

  @Override
  protected void before() throws Throwable {
    folder.create();
    bucketRoot = folder.newFolder("buckets").toPath();
    processed = folder.getRoot().toPath().resolve("processed");
    Files.createDirectories(bucketRoot.resolve(Notifications.BUCKET));
  }

  @Override
  protected void after() {
    folder.delete();
  }

  public Path bucketRoot() {
    return bucketRoot;
  }

  public Path processed() {
    return processed;
  }

  /** Writes {@code content} as object {@code objectId} of the test bucket. */
  public Path put(String objectId, byte[] content) {
    try {
      Path path = source(objectId);
      Files.createDirectories(path.getParent());
      return Files.write(path, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path put(String objectId, String content) {
    return put(objectId, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code content} as generation {@code generation} of {@code objectId}, the way Cloud
   * Storage keeps generations: a new file moved into place, kept in the bucket's generation store
   * ({@link LocalGenerations}), and the generation it replaces dropped unless the bucket is
   * versioned. Once a bucket has generations, the pipeline reads the notified one exactly.
   */
  public Path putGeneration(String objectId, long generation, byte[] content) {
    try {
      Path path = source(objectId);
      Files.createDirectories(path.getParent());
      Path staged = Files.write(path.resolveSibling(".staging-" + generation), content);
      Files.move(staged, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LocalGenerations.keep(bucketRoot, Notifications.BUCKET, objectId, generation, path);
      Long previous = generations.put(objectId, generation);
      if (previous != null) {
        LocalGenerations.replaced(bucketRoot, Notifications.BUCKET, objectId, previous);
      }
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path putGeneration(String objectId, long generation, String content) {
    return putGeneration(objectId, generation, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Deletes the current generation of {@code objectId}, as Cloud Storage would. */
  public void deleteGeneration(String objectId) {
    try {
      Files.deleteIfExists(source(objectId));
      Long previous = generations.remove(objectId);
      if (previous != null) {
        LocalGenerations.replaced(bucketRoot, Notifications.BUCKET, objectId, previous);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes the test bucket keep every generation (object versioning), or only the live one. */
  public void setVersioned(boolean versioned) {
    try {
      LocalGenerations.setVersioned(bucketRoot, Notifications.BUCKET, versioned);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the test bucket's store keeps {@code generation} of {@code objectId}. */
  public Path kept(String objectId, long generation) {
    return LocalGenerations.path(bucketRoot, Notifications.BUCKET, objectId, generation);
  }

  public Path source(String objectId) {
    return bucketRoot.resolve(Notifications.BUCKET).resolve(objectId);
  }

  public Path output(String name) {
    return processed.resolve(name);
  }

  /** Another folder beside the buckets, e.g. a second pipeline's processed bucket. */
  public Path folder(String name) {
    return folder.getRoot().toPath().resolve(name);
  }

  public String outputText(String name) {
    try {
      return Files.readString(output(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file below the processed folder, relative to it, FileIO's temp files aside. */
  public List<String> outputs() {
    return filesBelow(processed);
  }

  /** Every regular file below {@code root}, relative to it, FileIO's temp files aside. */
  public static List<String> filesBelow(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try {
      // A running pipeline creates and deletes FileIO's temporary folders while this walks: they
      // are skipped, and a file or folder gone between listing and visiting is no output.
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
              return dir.getFileName().toString().startsWith(".temp-beam")
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              if (attributes.isRegularFile()) {
                names.add(root.relativize(file).toString());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names.stream()
        .filter(name -> !name.startsWith(".temp-beam"))
        .sorted()
        .collect(Collectors.toList());
  }
}
