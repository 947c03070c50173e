package dev.gcsrewrite.output;

import dev.gcsrewrite.location.ContentChecksums;
import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.CRC32C;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a source through, counting and checksumming its bytes, so that what was read can be held to
 * what the notification says of its generation: its size, and its CRC32C (hardware-fast on Java 17)
 * or, when the notification has no CRC32C, its MD5. What the notification does not carry is not
 * checked.
 */
final class VerifyingChannel implements ReadableByteChannel {
  private final ReadableByteChannel in;
  private final GcsNotification notification;
  private final @Nullable CRC32C crc;
  private final @Nullable MessageDigest md5;
  private long bytes;

  VerifyingChannel(ReadableByteChannel in, GcsNotification notification) {
    this.in = in;
    this.notification = notification;
    this.crc = notification.crc32c() == null ? null : new CRC32C();
    this.md5 =
        crc == null && notification.md5Hash() != null ? ContentChecksums.digest("MD5") : null;
  }

  @Override
  public int read(ByteBuffer destination) throws IOException {
    int start = destination.position();
    int read = in.read(destination);
    if (read > 0) {
      bytes += read;
      ByteBuffer readBytes = destination.duplicate().flip().position(start);
      if (crc != null) {
        crc.update(readBytes);
      } else if (md5 != null) {
        md5.update(readBytes);
      }
    }
    return read;
  }

  /**
   * After the whole source was read: how it differs from what the notification says of the
   * generation, or null when it does not (or the notification says nothing to check).
   */
  @Nullable String mismatch() {
    Long size = notification.size();
    if (size != null && size != bytes) {
      return "read " + bytes + " bytes, the notification says " + size;
    }
    if (crc != null) {
      byte[] bigEndian = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
      return differs("CRC32C", bigEndian, notification.crc32c());
    }
    return md5 == null ? null : differs("MD5", md5.digest(), notification.md5Hash());
  }

  private static @Nullable String differs(String checksum, byte[] read, @Nullable String notified) {
    String actual = Base64.getEncoder().encodeToString(read);
    return actual.equals(notified)
        ? null
        : "read " + checksum + " " + actual + ", the notification says " + notified;
  }

  @Override
  public boolean isOpen() {
    return in.isOpen();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
