package dev.gcsrewrite.local.notifier;

import dev.gcsrewrite.location.ContentChecksums;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One generation of an object, described as Cloud Storage's metadata describes it: what a
 * notification's object resource is made of.
 *
 * <p>It exists apart from the file because notifications outlive the content: the delete
 * notification for an overwritten or removed file must still carry the old generation's size and
 * checksums, when the bytes they describe are gone.
 *
 * @param bucket the bucket name (the bucket folder's name)
 * @param name the object name (the path below the bucket folder, with {@code /} separators)
 * @param generation the generation, microseconds since the epoch like Cloud Storage's
 * @param size the content length in bytes
 * @param contentType see {@link StorageNotifications#contentType(String)}
 * @param md5Hash base64 MD5 of the content
 * @param crc32c base64 of the big-endian CRC32C of the content
 */
public record StoredObject(
    String bucket,
    String name,
    long generation,
    long size,
    String contentType,
    String md5Hash,
    String crc32c) {

  /**
   * Describes {@code file} as generation {@code generation} of {@code bucket}/{@code name}. The
   * file is read once, streaming, for its size and checksums.
   */
  public static StoredObject read(Path file, String bucket, String name, long generation)
      throws IOException {
    ContentChecksums checksums = ContentChecksums.of(file);
    return new StoredObject(
        bucket,
        name,
        generation,
        checksums.size(),
        StorageNotifications.contentType(name),
        checksums.md5Hash(),
        checksums.crc32c());
  }

  /**
   * When this generation was created. Cloud Storage generations are creation times in microseconds,
   * so the two always agree, as they do in real notifications.
   */
  public Instant created() {
    return Generations.created(generation);
  }

  /** {@code <bucket>/<name>#<generation>}, as the pipeline's logs write a generation. */
  @Override
  public String toString() {
    return bucket + "/" + name + "#" + generation;
  }
}
