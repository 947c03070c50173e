package dev.gcsrewrite.local.notifier;

import dev.gcsrewrite.location.BucketFolder;
import dev.gcsrewrite.location.LocalGenerations;
import dev.gcsrewrite.notification.StorageNames;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the objects of every bucket below a bucket root: each direct subfolder whose name is a
 * valid bucket name is a bucket, and each regular file anywhere below it an object.
 *
 * <p>Files directly in the root belong to no bucket (the work generator keeps its temporary files
 * there), nor does the generation store ({@link LocalGenerations#STORE}). Folders that cannot be
 * bucket names are skipped with one warning, since no Cloud Storage bucket could have them.
 * Symbolic links are not followed: a link is not an object.
 */
final class BucketFolders {
  private static final Logger LOG = LoggerFactory.getLogger(BucketFolders.class);

  private final Path root;
  private final Set<String> warnedNotBuckets = new HashSet<>();

  BucketFolders(Path root) {
    this.root = root;
  }

  /**
   * Every object below the root, in bucket and name order.
   *
   * @throws IOException if a folder could not be listed: a partial listing would make the missing
   *     files look deleted, so the whole scan fails instead
   */
  SortedMap<ObjectKey, FileState> scan() throws IOException {
    SortedMap<ObjectKey, FileState> objects = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        if (!Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String bucket = entry.getFileName().toString();
        if (bucket.equals(LocalGenerations.STORE)) {
          // The generations kept for the pipeline's pinned reads: not a bucket.
          continue;
        }
        if (StorageNames.bucketProblem(bucket) != null) {
          if (warnedNotBuckets.add(bucket)) {
            LOG.warn("Ignoring folder {}: '{}' is not a valid bucket name", entry, bucket);
          }
          continue;
        }
        scanBucket(bucket, entry, objects);
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    return objects;
  }

  private static void scanBucket(String bucket, Path folder, SortedMap<ObjectKey, FileState> into)
      throws IOException {
    BucketFolder.walk(
        folder,
        (name, file, attributes) ->
            into.put(
                new ObjectKey(bucket, name),
                new FileState(file, attributes.size(), attributes.lastModifiedTime())));
  }
}
