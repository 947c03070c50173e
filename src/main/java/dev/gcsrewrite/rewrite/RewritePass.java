package dev.gcsrewrite.rewrite;

import java.io.IOException;

/**
 * One streaming rewrite: the state of a single call, so that {@link TokenRewriter} itself stays
 * stateless and can serve concurrent calls.
 *
 * <p>Memory is two arrays of the buffer size, whatever the input size. The input buffer holds the
 * bytes not yet decided; a position is decided once every token could be compared there, i.e. once
 * {@code maxTokenLength} bytes from it have been read (or the input has ended). What is left
 * undecided after a scan, at most {@code maxTokenLength-1} bytes, moves to the front of the buffer
 * and is scanned again with the next read, which is how a token split across reads is still found.
 */
final class RewritePass {
  private final MatchTables tables;
  private final ByteSource source;
  private final ByteSink sink;
  private final byte[] in;
  private final byte[] out;
  private final long[] counts;
  private int outLength;

  RewritePass(MatchTables tables, ByteSource source, ByteSink sink, int bufferSize) {
    this.tables = tables;
    this.source = source;
    this.sink = sink;
    this.in = new byte[bufferSize];
    this.out = new byte[bufferSize];
    this.counts = new long[tables.ruleCount()];
  }

  RewriteStats run() throws IOException {
    int carry = 0;
    while (true) {
      int end = carry;
      boolean eof = false;
      // Fill the buffer: fewer, larger scans and writes; a full buffer always decides something.
      while (end < in.length) {
        int n = source.read(in, end, in.length - end);
        if (n < 0) {
          eof = true;
          break;
        }
        if (n == 0) {
          // A non-blocking channel with nothing yet: scan what there is, then ask again.
          Thread.onSpinWait();
          break;
        }
        end += n;
      }
      int undecided = scan(end, eof);
      if (eof) {
        break;
      }
      carry = end - undecided;
      System.arraycopy(in, undecided, in, 0, carry);
    }
    flushOut();
    sink.flush();
    return new RewriteStats(source.bytesRead(), sink.bytesWritten(), counts);
  }

  /**
   * Scans {@code in[0, end)}, emitting everything decided; returns the first undecided position. At
   * the end of input everything is decided.
   */
  private int scan(int end, boolean eof) throws IOException {
    final byte[] buf = in;
    final int w = tables.minTokenLength;
    final int stride = tables.stride;
    // Starts below limit are decidable: all tokens fit before end, or (at the end of input) from
    // limit on fewer than w bytes are left, so nothing can match there. When not at the end,
    // end - limit == maxTokenLength - 1, which bounds what is carried to the next read.
    final int limit = eof ? end - w + 1 : end - tables.maxTokenLength + 1;
    // Sample q decides the starts [q-w+1, q-w+stride] (see MatchTables); the samples below qLimit
    // are those whose first start is below limit, and all of them are below end.
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
      int flags = w == 1 ? 1 : tables.pairFilter[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)];
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
        int rule = tables.matchAt(buf, s, end);
        if (rule >= 0) {
          emit(buf, runStart, s - runStart);
          byte[] replacement = tables.replacement(rule);
          emit(replacement, 0, replacement.length);
          counts[rule]++;
          p = s + tables.tokenLength(rule);
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
    if (tables.stride == 2) {
      byte[] pairs = tables.pairFilter;
      while (q < qLimit && pairs[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)] == 0) {
        q += 2;
      }
    } else if (tables.pairFilter != null) {
      byte[] pairs = tables.pairFilter;
      while (q < qLimit && pairs[(buf[q - 1] & 0xff) << 8 | (buf[q] & 0xff)] == 0) {
        q++;
      }
    } else {
      byte[] bytes = tables.byteFilter;
      while (q < qLimit && bytes[buf[q] & 0xff] == 0) {
        q++;
      }
    }
    return q;
  }

  /** Queues bytes for output: small runs are batched, large ones are written straight through. */
  private void emit(byte[] src, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    if (len <= out.length - outLength) {
      System.arraycopy(src, off, out, outLength, len);
      outLength += len;
      return;
    }
    flushOut();
    if (len >= out.length / 2) {
      sink.write(src, off, len);
    } else {
      System.arraycopy(src, off, out, 0, len);
      outLength = len;
    }
  }

  private void flushOut() throws IOException {
    if (outLength > 0) {
      sink.write(out, 0, outLength);
      outLength = 0;
    }
  }
}
