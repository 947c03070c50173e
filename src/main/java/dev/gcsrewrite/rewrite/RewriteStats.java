package dev.gcsrewrite.rewrite;

import java.io.Serializable;
import java.util.List;

/**
 * What one rewrite did: bytes in, bytes out, and replacements per rule in {@link RewriteRules}
 * order.
 *
 * <p>A value of its own so that callers can report a rewrite without knowing how the engine works.
 */
public record RewriteStats(long bytesIn, long bytesOut, List<Long> replacementsPerRule)
    implements Serializable {

  public RewriteStats {
    replacementsPerRule = List.copyOf(replacementsPerRule);
    if (bytesIn < 0 || bytesOut < 0 || replacementsPerRule.stream().anyMatch(n -> n < 0)) {
      throw new IllegalArgumentException(
          "negative count: " + bytesIn + " in, " + bytesOut + " out, " + replacementsPerRule);
    }
  }

  /** Replacements made by all rules together. */
  public long replacements() {
    return replacementsPerRule.stream().mapToLong(Long::longValue).sum();
  }
}
