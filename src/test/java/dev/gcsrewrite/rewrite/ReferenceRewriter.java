package dev.gcsrewrite.rewrite;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The rewrite semantics written as plainly as possible, to compare the engine with: at each
 * position, try every token and take the longest that matches; otherwise copy one byte.
 */
final class ReferenceRewriter {
  final byte[] output;
  final List<Long> counts;

  ReferenceRewriter(RewriteRules rules, byte[] input) {
    long[] counts = new long[rules.size()];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < input.length) {
      int best = -1;
      for (int r = 0; r < rules.size(); r++) {
        byte[] token = rules.token(r);
        boolean fits = i + token.length <= input.length;
        if (fits
            && Arrays.equals(input, i, i + token.length, token, 0, token.length)
            && (best < 0 || token.length > rules.token(best).length)) {
          best = r;
        }
      }
      if (best < 0) {
        out.write(input[i]);
        i++;
      } else {
        out.writeBytes(rules.replacement(best));
        counts[best]++;
        i += rules.token(best).length;
      }
    }
    output = out.toByteArray();
    this.counts = Arrays.stream(counts).boxed().toList();
  }
}
