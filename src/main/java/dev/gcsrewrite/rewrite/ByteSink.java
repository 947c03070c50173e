package dev.gcsrewrite.rewrite;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * What a rewrite pass writes to: one array-based write for channels and streams alike. A write
 * returns only once every byte is accepted, because a non-blocking channel may take part of a
 * buffer and the pass reuses its buffers right after. Counts the bytes written. Never closes the
 * underlying output.
 */
abstract class ByteSink {
  private long bytesWritten;

  final void write(byte[] b, int off, int len) throws IOException {
    writeFully(b, off, len);
    bytesWritten += len;
  }

  final long bytesWritten() {
    return bytesWritten;
  }

  abstract void writeFully(byte[] b, int off, int len) throws IOException;

  /** Pushes out anything the underlying output buffers itself; called once, at the end. */
  abstract void flush() throws IOException;

  static ByteSink of(WritableByteChannel channel) {
    return new ChannelSink(channel);
  }

  static ByteSink of(OutputStream stream) {
    return new StreamSink(stream);
  }

  private static final class ChannelSink extends ByteSink {
    private final WritableByteChannel channel;
    // Most writes come from the pass's output buffer; reusing its wrapper avoids garbage per write.
    private ByteBuffer wrapper;

    ChannelSink(WritableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    void writeFully(byte[] b, int off, int len) throws IOException {
      if (wrapper == null || wrapper.array() != b) {
        wrapper = ByteBuffer.wrap(b);
      }
      wrapper.clear();
      wrapper.position(off).limit(off + len);
      while (wrapper.hasRemaining()) {
        if (channel.write(wrapper) == 0) {
          // A full non-blocking channel: wait for it politely rather than give up on the data.
          Thread.onSpinWait();
        }
      }
    }

    @Override
    void flush() {
      // A channel has no buffer of its own to push out.
    }
  }

  private static final class StreamSink extends ByteSink {
    private final OutputStream stream;

    StreamSink(OutputStream stream) {
      this.stream = stream;
    }

    @Override
    void writeFully(byte[] b, int off, int len) throws IOException {
      stream.write(b, off, len);
    }

    @Override
    void flush() throws IOException {
      stream.flush();
    }
  }
}
