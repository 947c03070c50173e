package dev.gcsrewrite.redis;

import java.io.Serializable;

/**
 * The Redis keys of the claims, below a prefix so that deployments can share one Redis.
 *
 * <ul>
 *   <li>{@code <prefix>gen:{<bucket>/<objectId>}#<generation>}: one generation's record (hash);
 *   <li>{@code <prefix>latest:{<bucket>/<objectId>}}: the object's latest completed generation
 *       (hash), which guards against older generations arriving late;
 *   <li>{@code <prefix>gens:{<bucket>/<objectId>}}: the generations recorded for the object (set);
 *   <li>{@code <prefix>obj:{<bucket>/<objectId>}}: the object's lock (hash): the generation in
 *       flight, its owner, fencing token and lease end; the token counter; the newest generation
 *       ever claimed; whether a stale write may have landed;
 *   <li>{@code <prefix>job:<jobName>}: the job's last heartbeat (string), while it runs ({@link
 *       JobHeartbeat}).
 * </ul>
 *
 * <p>The braces are a Redis Cluster hash tag: an object's four keys share a slot, so one script can
 * touch them all. A "}" in a name ends the tag early, at the same place in each key, and {@code
 * --keyPrefix} may hold no braces. Keys are binary-safe: object names are used as they are.
 */
public record ClaimKeys(String prefix) implements Serializable {

  public String generation(String bucket, String objectId, long generation) {
    return prefix + "gen:" + object(bucket, objectId) + "#" + generation;
  }

  public String latest(String bucket, String objectId) {
    return prefix + "latest:" + object(bucket, objectId);
  }

  public String generations(String bucket, String objectId) {
    return prefix + "gens:" + object(bucket, objectId);
  }

  public String lock(String bucket, String objectId) {
    return prefix + "obj:" + object(bucket, objectId);
  }

  public String job(String jobName) {
    return prefix + "job:" + jobName;
  }

  private static String object(String bucket, String objectId) {
    return "{" + bucket + "/" + objectId + "}";
  }
}
