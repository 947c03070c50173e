package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.CRC32C;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a source through, counting its bytes and checksumming them, so that what was read can be
 * held to what the notification says of its generation: its size, and its CRC32C (hardware-fast on
 * Java 17) or, when the notification has no CRC32C, its MD5. What the notification does not carry
 * is not checked.
 */
final class VerifyingChannel implements ReadableByteChannel {
  private final ReadableByteChannel in;
  private final @Nullable Long expectedSize;
  private final @Nullable String expectedCrc32c;
  private final @Nullable String expectedMd5;
  private final @Nullable CRC32C crc;
  private final @Nullable MessageDigest md5;
  private long bytes;

  VerifyingChannel(ReadableByteChannel in, GcsNotification notification) {
    this.in = in;
    this.expectedSize = notification.size();
    this.expectedCrc32c = notification.crc32c();
    this.expectedMd5 = expectedCrc32c == null ? notification.md5Hash() : null;
    this.crc = expectedCrc32c == null ? null : new CRC32C();
    this.md5 = expectedMd5 == null ? null : md5();
  }

  @Override
  public int read(ByteBuffer destination) throws IOException {
    int start = destination.position();
    int read = in.read(destination);
    if (read > 0) {
      bytes += read;
      ByteBuffer readBytes = destination.duplicate();
      readBytes.flip().position(start);
      if (crc != null) {
        crc.update(readBytes.duplicate());
      }
      if (md5 != null) {
        md5.update(readBytes);
      }
    }
    return read;
  }

  /** Bytes read so far. */
  long bytes() {
    return bytes;
  }

  /**
   * After the whole source was read: how it differs from what the notification says of the
   * generation, or null when it does not (or the notification says nothing to check).
   */
  @Nullable String mismatch() {
    if (expectedSize != null && expectedSize != bytes) {
      return "read " + bytes + " bytes, the notification says " + expectedSize;
    }
    if (crc != null) {
      long value = crc.getValue();
      byte[] bigEndian = {
        (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
      };
      String actual = Base64.getEncoder().encodeToString(bigEndian);
      if (!actual.equals(expectedCrc32c)) {
        return "read CRC32C " + actual + ", the notification says " + expectedCrc32c;
      }
    }
    if (md5 != null) {
      String actual = Base64.getEncoder().encodeToString(md5.digest());
      if (!actual.equals(expectedMd5)) {
        return "read MD5 " + actual + ", the notification says " + expectedMd5;
      }
    }
    return null;
  }

  @Override
  public boolean isOpen() {
    return in.isOpen();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }
}
