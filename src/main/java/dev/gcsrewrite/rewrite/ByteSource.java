package dev.gcsrewrite.rewrite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * What a rewrite pass reads from: one array-based read for channels and streams alike, so the pass
 * has a single code path, and streams are read straight into the pass's buffer (no extra copy
 * through {@code Channels.newChannel}). Counts the bytes read. Never closes the underlying input.
 */
abstract class ByteSource {
  private long bytesRead;

  /** Like {@link InputStream#read(byte[], int, int)}: bytes read, 0 if none yet, -1 at the end. */
  final int read(byte[] b, int off, int len) throws IOException {
    int n = readInto(b, off, len);
    if (n > 0) {
      bytesRead += n;
    }
    return n;
  }

  final long bytesRead() {
    return bytesRead;
  }

  abstract int readInto(byte[] b, int off, int len) throws IOException;

  static ByteSource of(ReadableByteChannel channel) {
    return new ChannelSource(channel);
  }

  static ByteSource of(InputStream stream) {
    return new StreamSource(stream);
  }

  private static final class ChannelSource extends ByteSource {
    private final ReadableByteChannel channel;
    // The pass reads into one array, so one wrapper serves the whole call.
    private ByteBuffer wrapper;

    ChannelSource(ReadableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    int readInto(byte[] b, int off, int len) throws IOException {
      if (wrapper == null || wrapper.array() != b) {
        wrapper = ByteBuffer.wrap(b);
      }
      wrapper.clear();
      wrapper.position(off).limit(off + len);
      return channel.read(wrapper);
    }
  }

  private static final class StreamSource extends ByteSource {
    private final InputStream stream;

    StreamSource(InputStream stream) {
      this.stream = stream;
    }

    @Override
    int readInto(byte[] b, int off, int len) throws IOException {
      return stream.read(b, off, len);
    }
  }
}
