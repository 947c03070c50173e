package dev.gcsrewrite.location;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Object generations for buckets that are local folders, kept as Cloud Storage keeps them: each
 * generation stays readable until it is replaced (in a versioned bucket, for good), so that the
 * pipeline's pinned read and its "generation gone" path work locally too.
 *
 * <ul>
 *   <li>The store, {@code <bucketRoot>/.generations/<bucket>/}, holds a hard link per generation,
 *       {@code <sha256 of the name>/<generation>}: a file replaced by a new inode leaves the link
 *       on the old content.
 *   <li>Whoever announces generations (the local stack's notifier, a test) links each new one and,
 *       unless the store holds {@code .versioned}, unlinks the one it replaces; a file found
 *       replaced while nobody watched ({@link #current}) drops the generations it replaced alike.
 *   <li>Once a generation is completed, older ones are read by no one ({@link #dropOlder}): the
 *       pipeline's settlement drops them, versioned or not.
 *   <li>A name's folder goes with its last link, so that the store holds only what may be read.
 *       Dropping a link never disturbs a reader that has the file open: its bytes stay until it
 *       closes it (POSIX); one that opens it afterwards finds the generation gone, as a pinned read
 *       of a deleted generation does on Cloud Storage.
 *   <li>Files of a bucket without a store are read as they are, checked against the notification's
 *       size and checksums.
 * </ul>
 */
public final class LocalGenerations {
  /** The store's folder below the bucket root; a bucket folder cannot have this name. */
  public static final String STORE = ".generations";

  private static final String VERSIONED = ".versioned";
  private static final int MAX_KEEP_ATTEMPTS = 100;

  private LocalGenerations() {}

  /** Whether {@code bucket} keeps generations (an announcer maintains its store). */
  public static boolean hasStore(Path bucketRoot, String bucket) {
    return Files.isDirectory(store(bucketRoot, bucket));
  }

  /** Where generation {@code generation} of {@code objectId} is kept. */
  public static Path path(Path bucketRoot, String bucket, String objectId, long generation) {
    return store(bucketRoot, bucket).resolve(hash(objectId)).resolve(Long.toString(generation));
  }

  /** Makes {@code bucket} keep every generation (object versioning), or not. */
  public static void setVersioned(Path bucketRoot, String bucket, boolean versioned)
      throws IOException {
    Path marker = store(bucketRoot, bucket).resolve(VERSIONED);
    Files.createDirectories(marker.getParent());
    if (versioned) {
      Files.writeString(marker, "");
    } else {
      Files.deleteIfExists(marker);
    }
  }

  /** Keeps {@code file}'s current content as the generation: a hard link, so no copy is made. */
  public static void keep(
      Path bucketRoot, String bucket, String objectId, long generation, Path file)
      throws IOException {
    Path kept = path(bucketRoot, bucket, objectId, generation);
    // The name's folder may be removed as empty (its last link dropped) while this makes it and
    // links into it: then either call fails as if something were missing or in the way, and this
    // tries again. Each failure means another keep or drop got through, so it ends.
    for (int attempt = 1; ; attempt++) {
      try {
        Files.createDirectories(kept.getParent());
        Files.createLink(kept, file);
        return;
      } catch (FileAlreadyExistsException e) {
        if (Files.exists(kept, LinkOption.NOFOLLOW_LINKS)) {
          return; // Announced before (a restart): the link stands.
        }
        if (attempt == MAX_KEEP_ATTEMPTS) {
          throw e;
        }
      } catch (NoSuchFileException e) {
        if (attempt == MAX_KEEP_ATTEMPTS || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
      }
    }
  }

  /**
   * The generation {@code file} (now object {@code objectId}) is kept as: the link with its inode;
   * or, for a file the store does not know yet, a new generation kept now: {@code modifiedMicros},
   * or one more than the newest one of the name when that is not less. Whoever meets a file first
   * (the notifier, the reconcile lister) gives it its generation, so that both name it alike.
   */
  public static long current(
      Path bucketRoot, String bucket, String objectId, Path file, long modifiedMicros)
      throws IOException {
    Found found = find(bucketRoot, bucket, objectId, file, modifiedMicros);
    if (!found.kept()) {
      keep(bucketRoot, bucket, objectId, found.generation(), file);
      if (!versioned(bucketRoot, bucket)) {
        // The file replaced them while nobody watched; without versioning they are gone.
        dropOlder(bucketRoot, bucket, objectId, found.generation());
      }
    }
    return found.generation();
  }

  /**
   * What {@link #current} would answer, keeping nothing: a dry run must leave the store as it found
   * it.
   */
  public static Found find(
      Path bucketRoot, String bucket, String objectId, Path file, long modifiedMicros)
      throws IOException {
    NavigableMap<Long, Path> kept = kept(bucketRoot, bucket, objectId);
    for (Map.Entry<Long, Path> g : kept.descendingMap().entrySet()) {
      if (isSameFile(g.getValue(), file)) {
        return new Found(g.getKey(), true);
      }
    }
    long newest = kept.isEmpty() ? 0 : kept.lastKey();
    return new Found(modifiedMicros > newest ? modifiedMicros : Math.addExact(newest, 1), false);
  }

  /**
   * A file's generation as the store sees it.
   *
   * @param generation the generation it is kept as, or would be kept as
   * @param kept whether the store holds it (else its content is only the file itself)
   */
  public record Found(long generation, boolean kept) {}

  /** Forgets a replaced or deleted generation, unless the bucket is versioned. */
  public static void replaced(Path bucketRoot, String bucket, String objectId, long generation)
      throws IOException {
    if (!versioned(bucketRoot, bucket)) {
      Path kept = path(bucketRoot, bucket, objectId, generation);
      Files.deleteIfExists(kept);
      removeIfEmpty(kept.getParent());
    }
  }

  /**
   * Drops the links of {@code objectId}'s generations older than {@code generation}, but the one
   * the bucket's file itself is, and the name's folder if that leaves it empty; returns the
   * generations dropped.
   *
   * <p>Called once {@code generation} is completed: a claim of an older generation is then
   * superseded without reading it, and a repair reads only the latest completed generation. The
   * bucket's file is kept whatever its generation, since the store names it by its link.
   */
  public static List<Long> dropOlder(
      Path bucketRoot, String bucket, String objectId, long generation) throws IOException {
    Path file = bucketRoot.resolve(bucket).resolve(objectId);
    List<Long> dropped = new ArrayList<>();
    for (Map.Entry<Long, Path> g :
        kept(bucketRoot, bucket, objectId).headMap(generation).entrySet()) {
      if (!isSameFile(g.getValue(), file) && Files.deleteIfExists(g.getValue())) {
        dropped.add(g.getKey());
      }
    }
    removeIfEmpty(path(bucketRoot, bucket, objectId, generation).getParent());
    return dropped;
  }

  /** The generations kept of {@code objectId}, by generation: none if it has no folder. */
  private static NavigableMap<Long, Path> kept(Path bucketRoot, String bucket, String objectId)
      throws IOException {
    NavigableMap<Long, Path> kept = new TreeMap<>();
    Path folder = path(bucketRoot, bucket, objectId, 1).getParent();
    try (DirectoryStream<Path> generations =
        Files.newDirectoryStream(folder, g -> g.getFileName().toString().matches("[0-9]{1,19}"))) {
      for (Path g : generations) {
        kept.put(Long.parseLong(g.getFileName().toString()), g);
      }
    } catch (NoSuchFileException e) {
      // Never kept, or its last link dropped.
    }
    return kept;
  }

  /** Whether {@code link} is {@code file}; false if either is gone (dropped, deleted). */
  private static boolean isSameFile(Path link, Path file) throws IOException {
    try {
      return Files.isSameFile(link, file);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Removes a name's folder if it holds no link; one linked into meanwhile stays. */
  private static void removeIfEmpty(Path folder) throws IOException {
    try {
      Files.delete(folder);
    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
      // Still in use, or gone already.
    }
  }

  private static boolean versioned(Path bucketRoot, String bucket) {
    return Files.exists(store(bucketRoot, bucket).resolve(VERSIONED));
  }

  private static Path store(Path bucketRoot, String bucket) {
    return bucketRoot.resolve(STORE).resolve(bucket);
  }

  private static String hash(String objectId) {
    byte[] sha256 = ContentChecksums.digest("SHA-256").digest(objectId.getBytes(UTF_8));
    return HexFormat.of().formatHex(sha256);
  }
}
