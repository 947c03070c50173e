package dev.gcsrewrite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

/**
 * Buckets as folders, as in local runs: {@code <root>/buckets/<bucket>/<object>} for sources and
 * {@code <root>/processed/} for outputs, in a temporary folder removed after the test.
 */
public final class LocalBuckets extends ExternalResource {
  private final TemporaryFolder folder = new TemporaryFolder();
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
    Path processed = root;
    if (!Files.isDirectory(processed)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(processed)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> processed.relativize(p).toString())
          .filter(name -> !name.startsWith(".temp-beam"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
