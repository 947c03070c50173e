package dev.gcsrewrite.reconcile;

import java.io.Serializable;
import java.time.Instant;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a reconcile run covers: the objects of one work bucket whose names start with {@code
 * prefix}, last updated in {@code [updatedAfter, updatedBefore)} when those are given.
 *
 * @param bucket the work bucket's name
 * @param prefix the names' prefix, empty for all
 * @param updatedAfter only generations updated at or after this time, or null
 * @param updatedBefore only generations updated before this time, or null
 */
public record ListingScope(
    String bucket, String prefix, @Nullable Instant updatedAfter, @Nullable Instant updatedBefore)
    implements Serializable {

  /** Whether a generation updated at {@code updated} is in the time range. */
  public boolean inTimeRange(Instant updated) {
    return (updatedAfter == null || !updated.isBefore(updatedAfter))
        && (updatedBefore == null || updated.isBefore(updatedBefore));
  }

  /** Whether an object named {@code name} is in the scope's prefix. */
  public boolean inPrefix(String name) {
    return name.startsWith(prefix);
  }

  @Override
  public String toString() {
    return bucket
        + (prefix.isEmpty() ? "" : " prefix '" + prefix + "'")
        + (updatedAfter == null ? "" : " updated from " + updatedAfter)
        + (updatedBefore == null ? "" : " updated before " + updatedBefore);
  }
}
