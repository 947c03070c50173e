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
    final int[] shift = tables.shift;
    final int last = tables.minTokenLength - 1;
    // Positions below limit are decidable: all tokens fit before end, or (at the end of input)
    // any position at or past it has fewer than minTokenLength bytes left, so nothing matches
    // there. Note end - limit == maxTokenLength - 1 when not at the end: that bounds the carry.
    final int limit = eof ? end - last : end - tables.maxTokenLength + 1;
    int p = 0;
    int runStart = 0;
    while (p < limit) {
      // The hot loop: one byte read and one table lookup per window; see MatchTables on why
      // skipping by shift never passes over a match. p + last < end because p < limit.
      int s = shift[buf[p + last] & 0xff];
      if (s != 0) {
        p += s;
        continue;
      }
      int rule = tables.matchAt(buf, p, end);
      if (rule < 0) {
        p++;
        continue;
      }
      emit(buf, runStart, p - runStart);
      byte[] replacement = tables.replacement(rule);
      emit(replacement, 0, replacement.length);
      counts[rule]++;
      p += tables.tokenLength(rule);
      runStart = p;
    }
    // A skip may land past limit (but never past end, as p + shift <= p + minTokenLength <= end);
    // the positions skipped over are still proven match-free, so p is the first undecided one.
    int decided = eof ? end : p;
    emit(buf, runStart, decided - runStart);
    return decided;
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
