package dev.gcsrewrite.reconcile;

import java.io.Serializable;
import java.time.Instant;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a reconcile run lists: the objects of one work bucket whose names start with {@code prefix},
 * updated in {@code [updatedAfter, updatedBefore)}; a part of it, which one worker lists, is also
 * limited to the names in {@code [startOffset, endOffset)}, in Cloud Storage's order (UTF-8 bytes).
 * Null bounds are open.
 *
 * @param bucket the work bucket's name
 * @param prefix the names' prefix, empty for all
 * @param updatedAfter only generations updated at or after this time
 * @param updatedBefore only generations updated before this time
 * @param startOffset the first name of the part
 * @param endOffset the first name after the part
 */
public record ListingScope(
    String bucket,
    String prefix,
    @Nullable Instant updatedAfter,
    @Nullable Instant updatedBefore,
    @Nullable String startOffset,
    @Nullable String endOffset)
    implements Serializable {

  /** All the names of {@code prefix}. */
  public ListingScope(
      String bucket,
      String prefix,
      @Nullable Instant updatedAfter,
      @Nullable Instant updatedBefore) {
    this(bucket, prefix, updatedAfter, updatedBefore, null, null);
  }

  /** The part of this scope from {@code startOffset} up to {@code endOffset}. */
  public ListingScope part(@Nullable String startOffset, @Nullable String endOffset) {
    return new ListingScope(bucket, prefix, updatedAfter, updatedBefore, startOffset, endOffset);
  }

  /** Whether a generation updated at {@code updated} is in the time range. */
  public boolean inTimeRange(Instant updated) {
    return (updatedAfter == null || !updated.isBefore(updatedAfter))
        && (updatedBefore == null || updated.isBefore(updatedBefore));
  }

  @Override
  public String toString() {
    boolean part = startOffset != null || endOffset != null;
    return bucket
        + (prefix.isEmpty() ? "" : " prefix '" + prefix + "'")
        + (updatedAfter == null ? "" : " updated from " + updatedAfter)
        + (updatedBefore == null ? "" : " updated before " + updatedBefore)
        + (part ? " [" + (startOffset == null ? "" : startOffset) + ", " : "")
        + (part ? (endOffset == null ? "" : endOffset) + ")" : "");
  }
}
