package dev.gcsrewrite.location;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * Size and checksums of a local file's content, written as Cloud Storage writes them in object
 * metadata: base64 of the MD5 digest, and base64 of the CRC32C in big-endian byte order. What a
 * local folder bucket's notifications and listings say of a file, made one way for both (the local
 * stack's notifier and reconcile's lister must describe a file alike).
 *
 * @param size the number of bytes actually read
 * @param md5Hash base64 MD5
 * @param crc32c base64 big-endian CRC32C
 */
public record ContentChecksums(long size, String md5Hash, String crc32c) {
  // Large enough that a big file is read in few calls, small enough to be irrelevant in memory.
  private static final int BUFFER_BYTES = 64 * 1024;

  /** Reads {@code file} once, streaming: memory stays constant whatever the file's size. */
  public static ContentChecksums of(Path file) throws IOException {
    MessageDigest md5 = md5();
    CRC32C crc32c = new CRC32C();
    long size = 0;
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        md5.update(buffer, 0, read);
        crc32c.update(buffer, 0, read);
        size += read;
      }
    }
    Base64.Encoder base64 = Base64.getEncoder();
    byte[] crcBytes = ByteBuffer.allocate(Integer.BYTES).putInt((int) crc32c.getValue()).array();
    return new ContentChecksums(
        size, base64.encodeToString(md5.digest()), base64.encodeToString(crcBytes));
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide MD5.
      throw new IllegalStateException(e);
    }
  }
}
