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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Lists a bucket that is a local folder, {@code <bucketRoot>/<bucket>/}, with each file's current
 * generation, size and checksums, as Cloud Storage's listing would give them.
 *
 * <p>A file's generation is the one the local stack's notifier gives it, so that a file listed
 * while it is announced too is one generation to both: {@link LocalGenerations#current} in a bucket
 * with a store, else its modification time in microseconds. A read-only lister (the dry run) keeps
 * no new generation in the store: it names a file the store does not know yet by the generation it
 * would be kept as, and reads the file itself.
 */
public final class LocalFolderLister implements ObjectLister {
  private static final long serialVersionUID = 1L;

  private final String bucketRoot;
  private final boolean readOnly;

  /** A lister that keeps the generations it names, as the notifier does. */
  public LocalFolderLister(String bucketRoot) {
    this(bucketRoot, false);
  }

  LocalFolderLister(String bucketRoot, boolean readOnly) {
    this.bucketRoot = bucketRoot;
    this.readOnly = readOnly;
  }

  /** A local folder is listed by one worker: the listing is cheap next to the work. */
  @Override
  public List<ListingScope> parts(ListingScope scope) {
    return List.of(scope);
  }

  @Override
  public void list(ListingScope scope, Consumer<ListedObject> found) throws IOException {
    Path root = Path.of(bucketRoot);
    Path folder = root.resolve(scope.bucket());
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder.toString(), null, "no such bucket folder");
    }
    TreeSet<String> names = new TreeSet<>();
    BucketFolder.walk(
        folder,
        (name, file, attributes) -> {
          if (name.startsWith(scope.prefix())) {
            names.add(name);
          }
        });
    boolean store = LocalGenerations.hasStore(root, scope.bucket());
    for (String name : names) {
      ListedObject object = describe(root, scope, name, store);
      if (object != null) {
        found.accept(object);
      }
    }
  }

  /** The file's current generation, or null if it is out of the time range or vanished. */
  private @Nullable ListedObject describe(Path root, ListingScope scope, String name, boolean store)
      throws IOException {
    Path file = root.resolve(scope.bucket()).resolve(name);
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!scope.inTimeRange(attributes.lastModifiedTime().toInstant())) {
        return null;
      }
      long generation = Math.max(1, attributes.lastModifiedTime().to(TimeUnit.MICROSECONDS));
      Path content = file;
      if (store) {
        LocalGenerations.Found found =
            readOnly
                ? LocalGenerations.find(root, scope.bucket(), name, file, generation)
                : new LocalGenerations.Found(
                    LocalGenerations.current(root, scope.bucket(), name, file, generation), true);
        generation = found.generation();
        content =
            found.kept() ? LocalGenerations.path(root, scope.bucket(), name, generation) : file;
      }
      ContentChecksums checksums = ContentChecksums.of(content);
      return new ListedObject(
          scope.bucket(),
          name,
          generation,
          1,
          checksums.size(),
          null,
          checksums.md5Hash(),
          checksums.crc32c(),
          Instant.EPOCH.plus(generation, ChronoUnit.MICROS));
    } catch (NoSuchFileException e) {
      // Deleted while listed: nothing current to reconcile.
      return null;
    }
  }
}
