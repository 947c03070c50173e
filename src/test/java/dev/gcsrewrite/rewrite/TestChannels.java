package dev.gcsrewrite.rewrite;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.IntSupplier;

/** Channels that misbehave in legal ways: short reads, partial writes, zero-byte writes. */
final class TestChannels {
  private TestChannels() {}

  /** Rewrites a small in-memory input, with buffers no larger than it needs. */
  static byte[] rewrite(TokenRewriter rewriter, byte[] input) {
    int bufferSize =
        Math.max(
            rewriter.minimumBufferSize(),
            Math.min(TokenRewriter.DEFAULT_BUFFER_SIZE, input.length));
    ByteArrayOutputStream out = new ByteArrayOutputStream(input.length);
    try {
      rewriter.rewrite(
          Channels.newChannel(new ByteArrayInputStream(input)),
          Channels.newChannel(out),
          bufferSize);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory channels do not fail", e);
    }
    return out.toByteArray();
  }

  /** Read sizes 1, 2, 3, ..., {@code max}, 1, 2, ...: every split point comes up. */
  static IntSupplier growingChunks(int max) {
    int[] next = {0};
    return () -> {
      next[0] = next[0] % max + 1;
      return next[0];
    };
  }

  /** Serves {@code data} in reads of the sizes {@code chunks} gives, and remembers a close. */
  static final class ChunkedReader implements ReadableByteChannel {
    private final byte[] data;
    private final IntSupplier chunks;
    private int position;
    private boolean closed;
    int reads;

    ChunkedReader(byte[] data, IntSupplier chunks) {
      this.data = data;
      this.chunks = chunks;
    }

    @Override
    public int read(ByteBuffer dst) throws ClosedChannelException {
      if (closed) {
        throw new ClosedChannelException();
      }
      reads++;
      if (position == data.length) {
        return -1;
      }
      int n = Math.min(Math.min(chunks.getAsInt(), dst.remaining()), data.length - position);
      dst.put(data, position, n);
      position += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /**
   * Collects what is written, accepting at most {@code maxPerWrite} bytes per call and nothing at
   * all on every {@code zeroEvery}-th call (0: never), like a congested non-blocking channel.
   */
  static final class StingyWriter implements WritableByteChannel {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final int maxPerWrite;
    private final int zeroEvery;
    private boolean closed;
    int calls;

    StingyWriter(int maxPerWrite, int zeroEvery) {
      if (maxPerWrite < 1 || zeroEvery == 1) {
        throw new IllegalArgumentException("such a writer would never accept anything");
      }
      this.maxPerWrite = maxPerWrite;
      this.zeroEvery = zeroEvery;
    }

    @Override
    public int write(ByteBuffer src) throws ClosedChannelException {
      if (closed) {
        throw new ClosedChannelException();
      }
      calls++;
      if (zeroEvery > 0 && calls % zeroEvery == 0) {
        return 0;
      }
      int n = Math.min(maxPerWrite, src.remaining());
      byte[] chunk = new byte[n];
      src.get(chunk);
      written.write(chunk, 0, n);
      return n;
    }

    byte[] bytes() {
      return written.toByteArray();
    }

    @Override
    public boolean isOpen() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
