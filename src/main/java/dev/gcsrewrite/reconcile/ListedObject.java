package dev.gcsrewrite.reconcile;

import java.time.Instant;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One current object generation as a bucket listing describes it: what the notification Cloud
 * Storage would have sent for it is made of.
 *
 * @param bucket the bucket
 * @param name the object name
 * @param generation the generation (on local folders, see {@link LocalFolderLister})
 * @param metageneration the metageneration (1 on local folders)
 * @param size the size in bytes
 * @param contentType the content type, if known
 * @param md5Hash base64 MD5 of the content, if known (composite objects have none)
 * @param crc32c base64 big-endian CRC32C of the content, if known
 * @param updated when the generation was last updated (its creation, on local folders)
 */
public record ListedObject(
    String bucket,
    String name,
    long generation,
    long metageneration,
    long size,
    @Nullable String contentType,
    @Nullable String md5Hash,
    @Nullable String crc32c,
    Instant updated) {

  /** {@code <bucket>/<name>#<generation>}, as the pipeline's logs and claims write a generation. */
  public String generationKey() {
    return bucket + "/" + name + "#" + generation;
  }
}
