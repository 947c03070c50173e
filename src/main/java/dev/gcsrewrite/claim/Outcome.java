package dev.gcsrewrite.claim;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimStore;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How the work on one generation ended: its output is in place, or there was nothing to write.
 * Every outcome of a claim is settled in Redis, then announced on the complete topic.
 *
 * @param kind complete or skipped (or repaired: not an ending, its output written again)
 * @param notification the notification the work was for
 * @param claimToken the fencing token of the claim the work was done under; 0 when none was taken
 *     (a superseded generation)
 * @param outputUri the final output file (complete and repaired only)
 * @param outputBytes the output's size, or -1 when not known
 * @param reason why nothing was written (skipped only): {@link #SOURCE_MISSING}, {@link
 *     #SUPERSEDED}, or as settlement found it, {@code sourceVanished} or {@code sourceChanged}
 */
@DefaultCoder(OutcomeCoder.class)
public record Outcome(
    Kind kind,
    GcsNotification notification,
    long claimToken,
    @Nullable String outputUri,
    long outputBytes,
    @Nullable String reason)
    implements ClaimStore.Ending {

  /** The notified generation no longer existed when it was looked for (overwritten, deleted). */
  public static final String SOURCE_MISSING = "sourceMissing";

  /** A newer generation of the object was completed first: this one's output would be older. */
  public static final String SUPERSEDED = "superseded";

  /** The two ways work on a generation ends, and a completed one's output written again. */
  public enum Kind {
    COMPLETE,
    SKIPPED,
    REPAIRED
  }

  /** The output of {@code claim} is in its final place. */
  public static Outcome complete(Claim claim, String outputUri, long outputBytes) {
    return new Outcome(
        Kind.COMPLETE, claim.notification(), claim.token(), outputUri, outputBytes, null);
  }

  /** Nothing was written for {@code claim}, for {@code reason}. */
  public static Outcome skipped(Claim claim, String reason) {
    return new Outcome(Kind.SKIPPED, claim.notification(), claim.token(), null, -1, reason);
  }

  /**
   * The output of {@code claim}'s generation, the object's latest completed, was written again
   * after a write without the lock may have landed over it.
   */
  public static Outcome repaired(Claim claim, String outputUri, long outputBytes) {
    return new Outcome(
        Kind.REPAIRED, claim.notification(), claim.token(), outputUri, outputBytes, null);
  }

  /** A generation that was never claimed, because a newer one is completed or in flight. */
  public static Outcome superseded(GcsNotification notification) {
    return new Outcome(Kind.SKIPPED, notification, 0, null, -1, SUPERSEDED);
  }

  /** This outcome as settlement found it: skipped for {@code why}, whatever the work thought. */
  public Outcome skippedFor(String why) {
    return new Outcome(Kind.SKIPPED, notification, claimToken, null, -1, why);
  }

  /** The claim the work was done under. */
  @Override
  public Claim claim() {
    return new Claim(notification, claimToken);
  }

  @Override
  public boolean completed() {
    return kind == Kind.COMPLETE;
  }

  @Override
  public String outputUriOrReason() {
    return String.valueOf(completed() ? outputUri : reason);
  }
}
