package dev.gcsrewrite.claim;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimStore;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * A generation this job holds the claim on, with the claim's fencing token: the unit of work from
 * the claim to the settlement.
 *
 * <p>The token is what tells this holder from any other, this same job's earlier attempt included:
 * Redis gives each claim on an object a greater one, and renewing, settling or releasing with a
 * token that is no longer the object's current one changes nothing (see {@link ClaimStore}).
 *
 * @param notification the notification the work is for
 * @param token the claim's fencing token, greater than every earlier claim's on the object
 */
@DefaultCoder(ClaimCoder.class)
public record Claim(GcsNotification notification, long token) implements ClaimStore.Held {

  /** {@code <bucket>/<objectId>#<generation>}. */
  public String generationKey() {
    return notification.generationKey();
  }

  @Override
  public String toString() {
    return "Claim{" + notification.generationKey() + " token " + token + "}";
  }
}
