package dev.gcsrewrite.location;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * Size and checksums of a local file, written as Cloud Storage writes them in object metadata.
 *
 * <p>One way for the local stack's notifier and the reconcile command's lister, which must describe
 * a file alike.
 *
 * @param size the number of bytes read
 * @param md5Hash base64 of the MD5 digest
 * @param crc32c base64 of the CRC32C, big-endian
 */
public record ContentChecksums(long size, String md5Hash, String crc32c) {

  /** Reads {@code file} once, streaming: memory stays constant whatever its size. */
  public static ContentChecksums of(Path file) throws IOException {
    MessageDigest md5 = digest("MD5");
    CRC32C crc32c = new CRC32C();
    long size;
    try (InputStream in =
        new CheckedInputStream(new DigestInputStream(Files.newInputStream(file), md5), crc32c)) {
      size = in.transferTo(OutputStream.nullOutputStream());
    }
    Base64.Encoder base64 = Base64.getEncoder();
    byte[] crc = ByteBuffer.allocate(Integer.BYTES).putInt((int) crc32c.getValue()).array();
    return new ContentChecksums(
        size, base64.encodeToString(md5.digest()), base64.encodeToString(crc));
  }

  /** A new digest of {@code algorithm}, one every Java platform has (MD5, SHA-256). */
  public static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has " + algorithm, e);
    }
  }
}
