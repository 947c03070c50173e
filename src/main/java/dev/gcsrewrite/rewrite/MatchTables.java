package dev.gcsrewrite.rewrite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The lookup tables of the scan: a filter that rules out almost all positions cheaply, and the
 * candidate tokens at a position bucketed by their first byte.
 *
 * <p>Built once per {@link TokenRewriter} and shared by all calls; immutable after construction,
 * hence safe to publish through a racy lazy initialisation.
 *
 * <p><b>The filter, and why it never skips a match.</b> Let {@code w} be the shortest token length;
 * every token's first {@code w} bytes are its <i>head</i>. The scan samples one position {@code q}
 * every {@code t} bytes, where the stride {@code t} is 2 if {@code w >= 3} and 1 otherwise, and the
 * sample at {@code q} decides the {@code t} starts {@code s = q-w+1+k}, {@code 0 <= k < t}. For
 * {@code w >= 2} it reads the byte pair {@code (buf[q-1], buf[q])}. A token that matches at such an
 * {@code s} has its head on {@code [s, s+w)}; as {@code s <= q-1} and {@code s+w-1 >= q}, the pair
 * lies inside the head, at head positions {@code (j-1, j)} with {@code j = q-s = w-1-k}. So {@link
 * #pairFilter} gets, for every token and every {@code k < t}, bit {@code k} set at the index of the
 * token's head pair at {@code (w-2-k, w-1-k)} (which exists: {@code w-2-k >= 0} because {@code t <=
 * w-1}). Contrapositive: if bit {@code k} is clear for the pair read, nothing matches at {@code
 * q-w+1+k}, and if the entry is 0 the scan moves on by {@code t}. For {@code w = 1} the sample is
 * the single byte at {@code q = s}, and {@link #byteFilter} marks the first bytes of the tokens.
 * Either way the argument reads only bytes at or before {@code q}, so it holds even for starts
 * whose tokens run past the data read so far.
 *
 * <p>Why this filter: a set-Horspool skip was measured first, and on base64 text with {@code AWS}
 * it ran at 0.5 GB/s, because each step waits for two dependent loads before it knows where the
 * next one is. Sampling at a fixed stride lets the CPU overlap the loads; filtering on pairs rather
 * than single bytes stops the scan about nine times less often on such text (each stop costs a
 * mispredicted branch); and a small constant stride lets the JIT unroll the loop. Together: about
 * 1.9 GB/s on the same text.
 */
final class MatchTables {
  final int minTokenLength;
  final int maxTokenLength;

  /** {@code t} in the class comment: 2 if the shortest token has 3 bytes or more, else 1. */
  final int stride;

  /**
   * For {@code w >= 2}, indexed by {@code (buf[q-1] & 0xff) << 8 | (buf[q] & 0xff)}: bit {@code k}
   * set if a match may start at {@code q-w+1+k}. 64 KiB, built once per rewriter.
   */
  final byte[] pairFilter;

  /** For {@code w = 1}, indexed by {@code buf[q] & 0xff}: nonzero if a match may start at q. */
  final byte[] byteFilter;

  private final byte[][] tokens;
  private final byte[][] replacements;

  /** Rule indices by first byte of their token, longest token first; null where none. */
  private final int[][] candidates = new int[256][];

  MatchTables(RewriteRules rules) {
    int n = rules.size();
    tokens = new byte[n][];
    replacements = new byte[n][];
    minTokenLength = rules.minTokenLength();
    maxTokenLength = rules.maxTokenLength();
    int w = minTokenLength;
    stride = w >= 3 ? 2 : 1;
    pairFilter = w >= 2 ? new byte[1 << 16] : null;
    byteFilter = w == 1 ? new byte[256] : null;
    List<List<Integer>> buckets = new ArrayList<>(256);
    for (int c = 0; c < 256; c++) {
      buckets.add(new ArrayList<>());
    }
    for (int r = 0; r < n; r++) {
      byte[] token = rules.token(r);
      tokens[r] = token;
      replacements[r] = rules.replacement(r);
      if (w == 1) {
        byteFilter[token[0] & 0xff] = 1;
      } else {
        for (int k = 0; k < stride; k++) {
          int j = w - 1 - k;
          pairFilter[(token[j - 1] & 0xff) << 8 | (token[j] & 0xff)] |= (byte) (1 << k);
        }
      }
      buckets.get(token[0] & 0xff).add(r);
    }
    for (int c = 0; c < 256; c++) {
      List<Integer> bucket = buckets.get(c);
      if (!bucket.isEmpty()) {
        // Longest first makes "first match found" the longest match at this position.
        bucket.sort(Comparator.comparingInt((Integer r) -> tokens[r].length).reversed());
        candidates[c] = bucket.stream().mapToInt(Integer::intValue).toArray();
      }
    }
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
      byte[] token = tokens[r];
      if (p + token.length <= end && regionMatches(buf, p, token)) {
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

  int tokenLength(int rule) {
    return tokens[rule].length;
  }

  /** The table's own array, not a copy: callers only read it. */
  byte[] replacement(int rule) {
    return replacements[rule];
  }

  int ruleCount() {
    return tokens.length;
  }
}
