package dev.gcsrewrite.rewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * One streaming rewrite: the state of a single call, so that {@link TokenRewriter} itself stays
 * stateless and can serve concurrent calls.
 *
 * <p>Memory is two arrays of the buffer size, whatever the input size. The input buffer holds the
 * bytes not yet decided; a position is decided once every token could be compared there, i.e. once
 * {@code maxTokenLength} bytes from it have been read or the input has ended. What is left
 * undecided after a scan, at most {@code maxTokenLength-1} bytes, moves to the front of the buffer
 * and is scanned again with the next read: that is how a token split across reads is found.
 */
final class RewritePass {
  private final TokenRewriter rewriter;
  private final ReadableByteChannel source;
  private final WritableByteChannel sink;
  private final byte[] in;
  private final byte[] out;
  // Views of the two arrays, reused for every read and write so that the pass makes no garbage.
  private final ByteBuffer inView;
  private final ByteBuffer outView;
  private final long[] counts;
  private int outLength;
  private long bytesIn;
  private long bytesOut;

  RewritePass(
      TokenRewriter rewriter,
      ReadableByteChannel source,
      WritableByteChannel sink,
      int bufferSize) {
    this.rewriter = rewriter;
    this.source = source;
    this.sink = sink;
    this.in = new byte[bufferSize];
    this.out = new byte[bufferSize];
    this.inView = ByteBuffer.wrap(in);
    this.outView = ByteBuffer.wrap(out);
    this.counts = new long[rewriter.rules().size()];
  }

  RewriteStats run() throws IOException {
    int end = 0;
    for (boolean eof = false; !eof; ) {
      // Fill the buffer: fewer, larger scans and writes; a full buffer always decides something.
      int n = 0;
      while (end < in.length && (n = source.read(inView.clear().position(end))) > 0) {
        end += n;
        bytesIn += n;
      }
      eof = n < 0;
      if (n == 0 && end < in.length) {
        // A non-blocking channel with nothing yet: scan what there is, then ask again.
        Thread.onSpinWait();
      }
      int undecided = scan(end, eof);
      System.arraycopy(in, undecided, in, 0, end - undecided);
      end -= undecided;
    }
    flushOut();
    return new RewriteStats(bytesIn, bytesOut, Arrays.stream(counts).boxed().toList());
  }

  /**
   * Scans {@code in[0, end)}, emitting everything decided; returns the first undecided position. At
   * the end of input everything is decided.
   */
  private int scan(int end, boolean eof) throws IOException {
    final byte[] buf = in;
    final int w = rewriter.minTokenLength;
    final int stride = rewriter.stride;
    // Starts below limit are decidable: all tokens fit before end, or (at the end of input) from
    // limit on fewer than w bytes are left, so nothing can match there. When not at the end,
    // end - limit == maxTokenLength - 1, which bounds what is carried to the next read.
    final int limit = eof ? end - w + 1 : end - rewriter.maxTokenLength + 1;
    // Sample q decides the starts [q-w+1, q-w+stride] (see TokenRewriter); the samples below
    // qLimit are those whose first start is below limit, and all of them are below end.
    final int qLimit = limit + w - 1;
    // Every start below p is decided: emitted from runStart on, or replaced.
    int p = 0;
    int runStart = 0;
    scanning:
    while (p < limit) {
      int q = nextSample(buf, p + w - 1, qLimit);
      if (q >= qLimit) {
        p = q - w + 1;
        break;
      }
      int flags = w == 1 ? 1 : rewriter.pairFilter[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)];
      for (int k = 0; k < stride; k++) {
        if ((flags & (1 << k)) == 0) {
          continue;
        }
        int s = q - w + 1 + k;
        if (s >= limit) {
          // Undecidable until more is read; the starts before s are ruled out now.
          p = s;
          break scanning;
        }
        int rule = rewriter.matchAt(buf, s, end);
        if (rule >= 0) {
          emit(buf, runStart, s - runStart);
          emit(rewriter.replacements[rule], 0, rewriter.replacements[rule].length);
          counts[rule]++;
          p = s + rewriter.tokens[rule].length;
          runStart = p;
          continue scanning;
        }
      }
      p = q - w + 1 + stride;
    }
    // p may be past limit (never past end: a sample is below end, and a match ends by end); the
    // starts stepped over are still ruled out, so p is the first undecided one.
    int decided = eof ? end : p;
    emit(buf, runStart, decided - runStart);
    return decided;
  }

  /**
   * The hot loop: returns the first sample from {@code q} on that the filter does not rule out, or
   * a position at or past {@code qLimit}. One small loop per case, each with a constant step: C2
   * unrolls such a loop and hoists the buffer's range checks out of it, which it did not do for a
   * variable step inside the larger scan loop (seen in the generated code).
   */
  private int nextSample(byte[] buf, int q, int qLimit) {
    if (rewriter.stride == 2) {
      byte[] pairs = rewriter.pairFilter;
      while (q < qLimit && pairs[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)] == 0) {
        q += 2;
      }
    } else if (rewriter.pairFilter != null) {
      byte[] pairs = rewriter.pairFilter;
      while (q < qLimit && pairs[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)] == 0) {
        q++;
      }
    } else {
      byte[] bytes = rewriter.byteFilter;
      while (q < qLimit && bytes[buf[q] & 0xff] == 0) {
        q++;
      }
    }
    return q;
  }

  /** Queues bytes for output: small runs are batched, large ones are written straight through. */
  private void emit(byte[] src, int off, int len) throws IOException {
    if (len <= out.length - outLength) {
      System.arraycopy(src, off, out, outLength, len);
      outLength += len;
      return;
    }
    flushOut();
    if (len >= out.length / 2) {
      write(src == in ? inView : ByteBuffer.wrap(src), off, len);
    } else {
      System.arraycopy(src, off, out, 0, len);
      outLength = len;
    }
  }

  private void flushOut() throws IOException {
    write(outView, 0, outLength);
    outLength = 0;
  }

  /**
   * Returns only once all {@code len} bytes are written: a channel may take part of a buffer, and
   * the pass reuses its buffers right after.
   */
  private void write(ByteBuffer view, int off, int len) throws IOException {
    view.limit(off + len).position(off);
    while (view.hasRemaining()) {
      if (sink.write(view) == 0) {
        // A full non-blocking channel: wait for it politely rather than give up on the data.
        Thread.onSpinWait();
      }
    }
    bytesOut += len;
  }
}
