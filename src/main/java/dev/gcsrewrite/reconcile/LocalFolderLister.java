package dev.gcsrewrite.reconcile;

import dev.gcsrewrite.location.BucketFolder;
import dev.gcsrewrite.location.ContentChecksums;
import dev.gcsrewrite.location.LocalGenerations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Lists a bucket that is a local folder, {@code <bucketRoot>/<bucket>/}, with each file's current
 * generation, size and checksums, as Cloud Storage's listing would give them.
 *
 * <p>Generations are what the local stack's notifier gives files, so that a file reconciled while
 * the local stack (or a test) announces it too is the same generation to both, and its Redis claim
 * decides between them. In a bucket with a {@link LocalGenerations} store, the file's generation is
 * the one whose kept link is the file itself (same inode); a file the store does not know yet gets
 * its modification time in microseconds (more than any generation kept for its name) and is kept
 * there, as the notifier would keep it. In a bucket without a store, the generation is the
 * modification time in microseconds and the file is read as it is, checked against the size and
 * checksums listed here.
 */
public final class LocalFolderLister implements ObjectLister {
  private static final long serialVersionUID = 1L;

  private final String bucketRoot;

  public LocalFolderLister(String bucketRoot) {
    this.bucketRoot = bucketRoot;
  }

  /** A local folder is listed by one worker: the listing is cheap next to the work. */
  @Override
  public List<ListingSplit> splits(ListingScope scope) {
    return List.of(ListingSplit.whole(scope));
  }

  @Override
  public void list(ListingSplit split, Consumer<ListedObject> found) throws IOException {
    ListingScope scope = split.scope();
    Path root = Path.of(bucketRoot);
    Path folder = root.resolve(scope.bucket());
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder.toString(), null, "no such bucket folder");
    }
    List<String> names = new ArrayList<>();
    BucketFolder.walk(
        folder,
        (name, file, attributes) -> {
          if (scope.inPrefix(name)) {
            names.add(name);
          }
        });
    names.sort(null);
    boolean store = LocalGenerations.hasStore(root, scope.bucket());
    for (String name : names) {
      ListedObject object = describe(root, scope, name, store);
      if (object != null) {
        found.accept(object);
      }
    }
  }

  /** The file's current generation, or null if it is out of the time range or vanished. */
  private static @Nullable ListedObject describe(
      Path root, ListingScope scope, String name, boolean store) throws IOException {
    Path file = root.resolve(scope.bucket()).resolve(name);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
    Instant modified = attributes.lastModifiedTime().toInstant();
    if (!scope.inTimeRange(modified)) {
      return null;
    }
    long micros = Math.max(1, attributes.lastModifiedTime().to(TimeUnit.MICROSECONDS));
    long generation = micros;
    Path content = file;
    try {
      if (store) {
        generation = LocalGenerations.current(root, scope.bucket(), name, file, micros);
        content = LocalGenerations.path(root, scope.bucket(), name, generation);
      }
      return checksummed(scope.bucket(), name, generation, content);
    } catch (NoSuchFileException e) {
      // Deleted while listed: nothing current to reconcile.
      return null;
    }
  }

  private static ListedObject checksummed(String bucket, String name, long generation, Path file)
      throws IOException {
    ContentChecksums checksums = ContentChecksums.of(file);
    return new ListedObject(
        bucket,
        name,
        generation,
        1,
        checksums.size(),
        null,
        checksums.md5Hash(),
        checksums.crc32c(),
        Instant.EPOCH.plus(generation, java.time.temporal.ChronoUnit.MICROS));
  }
}
