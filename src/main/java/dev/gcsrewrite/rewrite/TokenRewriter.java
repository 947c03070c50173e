package dev.gcsrewrite.rewrite;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Rewrites a byte stream by {@link RewriteRules} in constant memory, fast enough on one core not to
 * be what limits a worker ({@code RewriteBenchmark} in the tests gives figures).
 *
 * <p>Semantics:
 *
 * <ul>
 *   <li>tokens are literal bytes, which is safe for UTF-8 text: UTF-8 is self-synchronizing, so a
 *       well-formed token never matches inside a character;
 *   <li>the leftmost match wins, and at one position the longest token;
 *   <li>matches do not overlap, and replacements are not scanned again;
 *   <li>a token split across reads is found like any other;
 *   <li>all other bytes, binary or not, pass through unchanged.
 * </ul>
 *
 * <p>Each call uses two buffers of the buffer size (default {@value #DEFAULT_BUFFER_SIZE} bytes),
 * whatever the input size. An instance holds no per-call state, so it may serve concurrent calls,
 * and is {@link Serializable} for shipping to workers. No method closes what it is given: output is
 * fully written before it returns. Blocking channels are the intended use; a non-blocking one is
 * polled.
 *
 * <p><b>The scan's filter, and why it never skips a match.</b> Let {@code w} be the shortest token
 * length and a token's head its first {@code w} bytes. The scan samples a position {@code q} every
 * {@code t} bytes ({@code t = 2} if {@code w >= 3}, else 1), and the sample decides the starts
 * {@code s = q-w+1+k}, {@code 0 <= k < t}:
 *
 * <ul>
 *   <li>{@code w >= 2}: a token at {@code s} has its head on {@code [s, s+w)}, which holds {@code
 *       q-1} and {@code q} as {@code k <= w-2}: the head's bytes {@code (w-2-k, w-1-k)}. {@code
 *       pairFilter} sets bit {@code k} at that pair of every token, so a clear bit {@code k} in the
 *       entry of the pair read rules out a match at {@code s}, and a 0 entry lets the scan move on
 *       by {@code t}.
 *   <li>{@code w = 1}: the sample is the byte at {@code s}, and {@code byteFilter} marks the
 *       tokens' first bytes.
 * </ul>
 *
 * <p>Either way only bytes up to {@code q} are read, so this holds for tokens that run past the
 * data read so far. Why this filter: on base64 text with {@code AWS} a set-Horspool skip ran at 0.5
 * GB/s, each step waiting on two dependent loads; a fixed stride lets the CPU overlap the loads,
 * pairs stop the scan about nine times less often than single bytes, and a small constant stride
 * lets the JIT unroll the loop: about 1.9 GB/s.
 */
public final class TokenRewriter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Size of each of the two buffers of a call unless given explicitly. */
  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

  private final RewriteRules rules;

  // The lookup tables of the scan (see the class comment), derived from the rules and so rebuilt
  // after deserialization by readResolve rather than shipped.
  final transient int minTokenLength;
  final transient int maxTokenLength;
  final transient int stride;

  /** For {@code w >= 2}, by {@code buf[q-1] << 8 | buf[q]} (unsigned): the bits {@code k}. */
  final transient byte[] pairFilter;

  /** For {@code w = 1}, by {@code buf[q]} (unsigned): nonzero if a token starts with it. */
  final transient byte[] byteFilter;

  // Copies of the rules' bytes by rule index, which the scan reads in place and never writes.
  final transient byte[][] tokens;
  final transient byte[][] replacements;

  /** Rule indices by the first byte of their token, longest token first; null where none. */
  private final transient int[][] candidates = new int[256][];

  public TokenRewriter(RewriteRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
    int n = rules.size();
    int w = rules.minTokenLength();
    minTokenLength = w;
    maxTokenLength = rules.maxTokenLength();
    tokens = new byte[n][];
    replacements = new byte[n][];
    stride = w >= 3 ? 2 : 1;
    pairFilter = w >= 2 ? new byte[1 << 16] : null;
    byteFilter = w == 1 ? new byte[256] : null;
    for (int r = 0; r < n; r++) {
      byte[] token = rules.token(r);
      tokens[r] = token;
      replacements[r] = rules.replacement(r);
      if (w == 1) {
        byteFilter[token[0] & 0xff] = 1;
      }
      for (int k = 0; w >= 2 && k < stride; k++) {
        int j = w - 1 - k;
        pairFilter[(token[j - 1] & 0xff) << 8 | (token[j] & 0xff)] |= (byte) (1 << k);
      }
    }
    IntStream.range(0, n)
        .boxed()
        // Longest first makes the first match found the longest one at its position.
        .sorted(Comparator.comparingInt(r -> -tokens[r].length))
        .collect(Collectors.groupingBy(r -> tokens[r][0] & 0xff))
        .forEach((c, rs) -> candidates[c] = rs.stream().mapToInt(Integer::intValue).toArray());
  }

  private Object readResolve() {
    return new TokenRewriter(rules);
  }

  public RewriteRules rules() {
    return rules;
  }

  /**
   * The smallest buffer size accepted: twice the longest token, so that after carrying over at most
   * {@code maxTokenLength-1} bytes a full buffer always lets the scan decide some positions.
   */
  public int minimumBufferSize() {
    return 2 * maxTokenLength;
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
    if (bufferSize < minimumBufferSize()) {
      throw RuleSyntax.fail(
          "buffer size %d is below the minimum of %d (twice the longest token)",
          bufferSize, minimumBufferSize());
    }
    return new RewritePass(
            this, Objects.requireNonNull(in, "in"), Objects.requireNonNull(out, "out"), bufferSize)
        .run();
  }

  /**
   * Returns the rule whose token is the longest one matching {@code buf} at {@code p}, looking no
   * further than {@code end}, or -1.
   */
  int matchAt(byte[] buf, int p, int end) {
    int[] rules = candidates[buf[p] & 0xff];
    if (rules == null) {
      return -1;
    }
    for (int r : rules) {
      if (p + tokens[r].length <= end && regionMatches(buf, p, tokens[r])) {
        return r;
      }
    }
    return -1;
  }

  /**
   * A plain loop rather than {@code Arrays.equals}: most calls fail within two bytes, and for that
   * the range checks and out-of-line call of the vectorized version cost more than they save.
   */
  private static boolean regionMatches(byte[] buf, int p, byte[] token) {
    // The first byte is known to be equal: it selected the bucket.
    for (int k = 1; k < token.length; k++) {
      if (buf[p + k] != token[k]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "TokenRewriter[" + rules + "]";
  }
}
