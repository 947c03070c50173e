package dev.gcsrewrite.rewrite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The lookup tables of the scan: a set-Horspool shift table over a window of the shortest token
 * length, and the candidate tokens at a position bucketed by their first byte.
 *
 * <p>Built once per {@link TokenRewriter} and shared by all calls; immutable after construction,
 * hence safe to publish through a racy lazy initialisation.
 *
 * <p><b>Why the skip never misses a match.</b> Let {@code m} be the shortest token length; every
 * token's first {@code m} bytes are its <i>head</i>. For a byte value {@code c}, {@code shift[c]}
 * is the minimum of {@code m} and of {@code m-1-j} over every head position {@code j} (0 &le; j
 * &lt; m) where some head has byte {@code c}. The scan looks at the window {@code [p, p+m)} and
 * reads only its last byte {@code c = buf[p+m-1]}. Suppose a token matches at {@code s} with {@code
 * p <= s < p+m}. Then {@code p+m-1} lies inside that token's head, at {@code j = p+m-1-s}, so the
 * head has byte {@code c} at {@code j} and {@code shift[c] <= m-1-j = s-p}, i.e. {@code s >=
 * p+shift[c]}. So no match starts in {@code [p, p+shift[c])}, and advancing {@code p} by {@code
 * shift[c]} skips none; a match at {@code s >= p+m} is not skipped either because {@code shift[c]
 * <= m}. When {@code shift[c]} is 0 the candidates at {@code p} are checked and the scan moves on
 * by one. The argument uses no byte but {@code buf[p+m-1]}, so it holds right up to the end of the
 * data that has been read.
 */
final class MatchTables {
  final int minTokenLength;
  final int maxTokenLength;

  /** Indexed by unsigned byte value; see the class comment. */
  final int[] shift = new int[256];

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
    int m = minTokenLength;
    Arrays.fill(shift, m);
    List<List<Integer>> buckets = new ArrayList<>(256);
    for (int c = 0; c < 256; c++) {
      buckets.add(new ArrayList<>());
    }
    for (int r = 0; r < n; r++) {
      byte[] token = rules.token(r);
      tokens[r] = token;
      replacements[r] = rules.replacement(r);
      for (int j = 0; j < m; j++) {
        int c = token[j] & 0xff;
        shift[c] = Math.min(shift[c], m - 1 - j);
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
      int len = token.length;
      if (p + len <= end && Arrays.equals(buf, p, p + len, token, 0, len)) {
        return r;
      }
    }
    return -1;
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
