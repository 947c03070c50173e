package dev.gcsrewrite.location;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

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
 *       unless the store holds {@code .versioned}, unlinks the one it replaces.
 *   <li>Files of a bucket without a store are read as they are, checked against the notification's
 *       size and checksums.
 * </ul>
 */
public final class LocalGenerations {
  /** The store's folder below the bucket root; a bucket folder cannot have this name. */
  public static final String STORE = ".generations";

  private static final String VERSIONED = ".versioned";

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
    Files.createDirectories(kept.getParent());
    try {
      Files.createLink(kept, file);
    } catch (FileAlreadyExistsException e) {
      // Announced before (a restart): the link stands.
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
    Path kept = path(bucketRoot, bucket, objectId, 1).getParent();
    long newest = 0;
    long same = -1;
    if (Files.isDirectory(kept)) {
      try (DirectoryStream<Path> generations =
          Files.newDirectoryStream(kept, g -> g.getFileName().toString().matches("[0-9]{1,19}"))) {
        for (Path g : generations) {
          long generation = Long.parseLong(g.getFileName().toString());
          newest = Math.max(newest, generation);
          if (generation > same && Files.isSameFile(g, file)) {
            same = generation;
          }
        }
      }
    }
    if (same > 0) {
      return new Found(same, true);
    }
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
    if (!Files.exists(store(bucketRoot, bucket).resolve(VERSIONED))) {
      Files.deleteIfExists(path(bucketRoot, bucket, objectId, generation));
    }
  }

  private static Path store(Path bucketRoot, String bucket) {
    return bucketRoot.resolve(STORE).resolve(bucket);
  }

  private static String hash(String objectId) {
    byte[] sha256 = ContentChecksums.digest("SHA-256").digest(objectId.getBytes(UTF_8));
    return HexFormat.of().formatHex(sha256);
  }
}
