package dev.gcsrewrite.testing;

import dev.gcsrewrite.claim.ClaimKeys;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import redis.clients.jedis.Jedis;

/** Reads the records one test's claims left in Redis, under that test's key prefix. */
public final class ClaimRecords {
  private final LocalRedis redis;
  private final ClaimKeys keys;

  public ClaimRecords(LocalRedis redis, String keyPrefix) {
    this.redis = redis;
    this.keys = new ClaimKeys(keyPrefix);
  }

  /** The generation's record (state, times, owner...); empty if it has none. */
  public Map<String, String> generation(String bucket, String objectId, long generation) {
    try (Jedis jedis = redis.client()) {
      return jedis.hgetAll(keys.generation(bucket, objectId, generation));
    }
  }

  /** The newest generation the object's latest record names, or null if it has none. */
  public @Nullable String latest(String bucket, String objectId) {
    try (Jedis jedis = redis.client()) {
      return jedis.hget(keys.latest(bucket, objectId), "generation");
    }
  }

  /** The object's lock (generation, owner, token, lease...); empty when nobody holds it. */
  public Map<String, String> lock(String bucket, String objectId) {
    try (Jedis jedis = redis.client()) {
      return jedis.hgetAll(keys.lock(bucket, objectId));
    }
  }
}
