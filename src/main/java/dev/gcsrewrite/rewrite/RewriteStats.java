package dev.gcsrewrite.rewrite;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one rewrite did: bytes in, bytes out and replacements, in total and per rule.
 *
 * <p>A value of its own so that callers can report and add up results (per object, per worker, per
 * run) without knowing how the engine works; per-rule counts are index-aligned with {@link
 * RewriteRules}. Immutable and {@link Serializable} so it can travel between workers.
 */
public final class RewriteStats implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long bytesIn;
  private final long bytesOut;
  private final long[] replacementsPerRule;
  private final long replacements;

  /**
   * @param replacementsPerRule how often each rule replaced its token, in rule order (copied)
   */
  public RewriteStats(long bytesIn, long bytesOut, long[] replacementsPerRule) {
    if (bytesIn < 0 || bytesOut < 0) {
      throw new IllegalArgumentException(
          "byte counts must not be negative: in " + bytesIn + ", out " + bytesOut);
    }
    long total = 0;
    for (int i = 0; i < replacementsPerRule.length; i++) {
      if (replacementsPerRule[i] < 0) {
        throw new IllegalArgumentException(
            "rule " + (i + 1) + ": negative replacement count " + replacementsPerRule[i]);
      }
      total += replacementsPerRule[i];
    }
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    this.replacementsPerRule = replacementsPerRule.clone();
    this.replacements = total;
  }

  /** No bytes and no replacements, for {@code ruleCount} rules: the start of a sum. */
  public static RewriteStats zero(int ruleCount) {
    return new RewriteStats(0, 0, new long[ruleCount]);
  }

  public long bytesIn() {
    return bytesIn;
  }

  public long bytesOut() {
    return bytesOut;
  }

  /** Replacements made by all rules together. */
  public long replacements() {
    return replacements;
  }

  /** Replacements made by rule {@code index} (0-based, in rule order). */
  public long replacements(int index) {
    return replacementsPerRule[index];
  }

  /** A copy of the per-rule counts, index-aligned with the rules. */
  public long[] replacementsPerRule() {
    return replacementsPerRule.clone();
  }

  public int ruleCount() {
    return replacementsPerRule.length;
  }

  /** The sum of two results for the same rules. */
  public RewriteStats plus(RewriteStats other) {
    if (other.ruleCount() != ruleCount()) {
      throw new IllegalArgumentException(
          "cannot add stats for " + other.ruleCount() + " rules to stats for " + ruleCount());
    }
    long[] sum = replacementsPerRule.clone();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other.replacementsPerRule[i];
    }
    return new RewriteStats(bytesIn + other.bytesIn, bytesOut + other.bytesOut, sum);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RewriteStats other
        && bytesIn == other.bytesIn
        && bytesOut == other.bytesOut
        && Arrays.equals(replacementsPerRule, other.replacementsPerRule);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bytesIn) * 961
        + Long.hashCode(bytesOut) * 31
        + Arrays.hashCode(replacementsPerRule);
  }

  @Override
  public String toString() {
    return "RewriteStats{bytesIn="
        + bytesIn
        + ", bytesOut="
        + bytesOut
        + ", replacements="
        + replacements
        + ", perRule="
        + Arrays.toString(replacementsPerRule)
        + "}";
  }
}
