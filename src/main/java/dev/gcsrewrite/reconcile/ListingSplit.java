package dev.gcsrewrite.reconcile;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One part of a listing that one worker lists on its own: the scope's names from {@code
 * startOffset} (inclusive) to {@code endOffset} (exclusive), in Cloud Storage's order (UTF-8
 * bytes); null bounds are open.
 *
 * @param scope what the run covers
 * @param startOffset the first name of the part, or null
 * @param endOffset the first name after the part, or null
 */
public record ListingSplit(
    ListingScope scope, @Nullable String startOffset, @Nullable String endOffset)
    implements Serializable {

  /** The whole scope as one part. */
  public static ListingSplit whole(ListingScope scope) {
    return new ListingSplit(scope, null, null);
  }

  @Override
  public String toString() {
    return scope.bucket()
        + " ["
        + (startOffset == null ? "" : startOffset)
        + ", "
        + (endOffset == null ? "" : endOffset)
        + ")";
  }
}
