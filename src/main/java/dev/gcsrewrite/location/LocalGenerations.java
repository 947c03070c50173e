package dev.gcsrewrite.location;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Object generations for buckets that are local folders, kept as Cloud Storage keeps them: each
 * generation's content stays readable, exactly, until it is replaced (in a versioned bucket, for
 * good), so that the pipeline's pinned read and its "generation gone" path work locally too.
 *
 * <ul>
 *   <li>The store is {@code <bucketRoot>/.generations/<bucket>/}: one hard link per generation, at
 *       {@code <sha256 of the object name>/<generation>}, to the file as it was announced.
 *   <li>A file replaced by another (a new inode, as moving a file into place makes) leaves the link
 *       on the old content.
 *   <li>Whoever announces generations (the local stack's notifier, a test) adds a link for each new
 *       one and, unless the bucket is versioned (a file {@code .versioned} in its store), removes
 *       the one it replaces, as Cloud Storage deletes a replaced generation.
 *   <li>A bucket without a store has no generations to pin: its files are read as they are, and
 *       checked against the notification's size and checksums.
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
   * The generation {@code file} (now object {@code objectId}) is kept as: the kept link that is the
   * file itself (same inode). A file the store does not know yet is kept now as a new generation:
   * {@code modifiedMicros}, or one more than the newest generation kept for the name when that is
   * not less.
   *
   * <p>Whoever meets a file first (the local stack's notifier, the reconcile command's lister)
   * gives it its generation here, so that both name it alike and its Redis claim decides between
   * them.
   */
  public static long current(
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
      return same;
    }
    long generation = modifiedMicros > newest ? modifiedMicros : Math.addExact(newest, 1);
    keep(bucketRoot, bucket, objectId, generation, file);
    return generation;
  }

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
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(objectId.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
