package dev.gcsrewrite.claim;

import java.io.Serializable;

/**
 * The Redis keys of the claims, below a prefix so that deployments can share one Redis:
 *
 * <ul>
 *   <li>{@code <prefix>gen:<bucket>/<objectId>#<generation>}: one generation's record (hash);
 *   <li>{@code <prefix>latest:<bucket>/<objectId>}: the object's latest completed generation
 *       (hash), which guards against older generations arriving late;
 *   <li>{@code <prefix>gens:<bucket>/<objectId>}: the generations recorded for the object (set),
 *       for the status command.
 * </ul>
 *
 * Keys are binary-safe in Redis, so object names are used as they are.
 */
public record ClaimKeys(String prefix) implements Serializable {

  /** The default prefix of {@code --keyPrefix}. */
  public static final String DEFAULT_PREFIX = "gcs-rewrite:";

  public String generation(String bucket, String objectId, long generation) {
    return prefix + "gen:" + bucket + "/" + objectId + "#" + generation;
  }

  public String latest(String bucket, String objectId) {
    return prefix + "latest:" + bucket + "/" + objectId;
  }

  public String generations(String bucket, String objectId) {
    return prefix + "gens:" + bucket + "/" + objectId;
  }
}
