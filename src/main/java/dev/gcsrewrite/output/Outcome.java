package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How the work on one object generation ended: its output is in place ({@link Kind#COMPLETE}), or
 * there was nothing to write ({@link Kind#SKIPPED}, with the reason). Every outcome is settled in
 * Redis and announced on the complete topic.
 *
 * @param kind complete or skipped
 * @param notification the notification the work was for
 * @param outputUri the final output file (complete only)
 * @param outputBytes the output's size, or -1 when not known
 * @param reason why nothing was written (skipped only), e.g. {@link #SOURCE_MISSING}
 */
@DefaultCoder(OutcomeCoder.class)
public record Outcome(
    Kind kind,
    GcsNotification notification,
    @Nullable String outputUri,
    long outputBytes,
    @Nullable String reason) {

  /** The source object no longer existed when it was looked for. */
  public static final String SOURCE_MISSING = "sourceMissing";

  /** A newer generation of the object was already completed: this one's output would be older. */
  public static final String SUPERSEDED = "superseded";

  /** The two ways work on a generation ends. */
  public enum Kind {
    COMPLETE,
    SKIPPED
  }

  /** The output is in its final place. */
  public static Outcome complete(GcsNotification notification, String outputUri, long outputBytes) {
    return new Outcome(Kind.COMPLETE, notification, outputUri, outputBytes, null);
  }

  /** Nothing was written, for {@code reason}. */
  public static Outcome skipped(GcsNotification notification, String reason) {
    return new Outcome(Kind.SKIPPED, notification, null, -1, reason);
  }
}
