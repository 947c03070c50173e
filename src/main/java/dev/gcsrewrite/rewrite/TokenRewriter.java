package dev.gcsrewrite.rewrite;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * Rewrites a byte stream by {@link RewriteRules}, in constant memory and fast enough on one core
 * that the rewrite should not be what limits a worker ({@code RewriteBenchmark} in the tests gives
 * figures).
 *
 * <p>It exists so that the pipeline can stream objects of any size from one channel to another
 * without holding them in memory. Semantics: tokens are literal byte sequences (which is safe for
 * UTF-8 text, as UTF-8 is self-synchronizing: a well-formed token cannot match in the middle of a
 * character); the leftmost match wins, and at one position the longest token wins; matches do not
 * overlap and replacements are not scanned again; a token split across reads is found like any
 * other; all other bytes, binary or not, pass through unchanged.
 *
 * <p>Each call uses one input and one output buffer of the buffer size (default {@value
 * #DEFAULT_BUFFER_SIZE} bytes) and nothing proportional to the input. Instances hold no per-call
 * state, so one instance may serve concurrent calls; it is {@link Serializable} for shipping to
 * workers, and rebuilds its lookup tables there on first use.
 *
 * <p>No method closes the channels or streams it is given: their owner does. Output is fully
 * written (and a stream flushed) before a method returns. A non-blocking channel is polled until it
 * accepts all output or yields input; blocking channels are the intended use.
 */
public final class TokenRewriter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Size of each of the two buffers of a call unless given explicitly. */
  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

  private final RewriteRules rules;

  // Derived from rules, so not serialized; a racy lazy init is fine because the tables are
  // immutable and deterministic: at worst two threads build equal copies.
  private transient volatile MatchTables tables;

  public TokenRewriter(RewriteRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  public RewriteRules rules() {
    return rules;
  }

  /**
   * The smallest buffer size accepted: twice the longest token, so that after carrying over at most
   * {@code maxTokenLength-1} bytes a full buffer always lets the scan decide some positions.
   */
  public int minimumBufferSize() {
    return 2 * rules.maxTokenLength();
  }

  /** Rewrites {@code in} to {@code out} with buffers of {@value #DEFAULT_BUFFER_SIZE} bytes. */
  public RewriteStats rewrite(ReadableByteChannel in, WritableByteChannel out) throws IOException {
    return rewrite(in, out, DEFAULT_BUFFER_SIZE);
  }

  /**
   * Rewrites {@code in} to {@code out} with two buffers of {@code bufferSize} bytes each.
   *
   * @throws IllegalArgumentException if {@code bufferSize} is below {@link #minimumBufferSize()}
   */
  public RewriteStats rewrite(ReadableByteChannel in, WritableByteChannel out, int bufferSize)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    return run(ByteSource.of(in), ByteSink.of(out), bufferSize);
  }

  /** Rewrites {@code in} to {@code out}, then flushes {@code out} (but closes neither). */
  public RewriteStats rewrite(InputStream in, OutputStream out) throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    return run(ByteSource.of(in), ByteSink.of(out), DEFAULT_BUFFER_SIZE);
  }

  /** Rewrites a small in-memory input, e.g. in tests; the buffers are no larger than needed. */
  public byte[] rewrite(byte[] input) {
    int bufferSize = Math.max(minimumBufferSize(), Math.min(DEFAULT_BUFFER_SIZE, input.length));
    ByteArrayOutputStream out = new ByteArrayOutputStream(input.length);
    try {
      run(ByteSource.of(new ByteArrayInputStream(input)), ByteSink.of(out), bufferSize);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory streams do not fail", e);
    }
    return out.toByteArray();
  }

  private RewriteStats run(ByteSource source, ByteSink sink, int bufferSize) throws IOException {
    if (bufferSize < minimumBufferSize()) {
      throw new IllegalArgumentException(
          "buffer size "
              + bufferSize
              + " is below the minimum of "
              + minimumBufferSize()
              + " (twice the longest token)");
    }
    return new RewritePass(tables(), source, sink, bufferSize).run();
  }

  private MatchTables tables() {
    MatchTables t = tables;
    if (t == null) {
      t = new MatchTables(rules);
      tables = t;
    }
    return t;
  }

  @Override
  public String toString() {
    return "TokenRewriter[" + rules + "]";
  }
}
