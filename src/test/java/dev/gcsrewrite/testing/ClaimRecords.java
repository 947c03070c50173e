package dev.gcsrewrite.testing;

import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.time.Duration;
import java.util.List;
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

  /**
   * Waits until the lease on the object's lock has ended by Redis's own clock, the one the claim
   * scripts judge leases by: for tests whose scenario is a holder that stalled past its lease.
   */
  public void awaitLeaseEnd(String bucket, String objectId) throws InterruptedException {
    Eventually.await(
        "the lease on " + bucket + "/" + objectId + " to end",
        Duration.ofSeconds(30),
        () -> {
          String until = lock(bucket, objectId).get("leaseUntil");
          return until == null || Long.parseLong(until) < redisTimeMillis();
        });
  }

  /** Waits until Redis's clock, the one leases are judged by, reads {@code millis} or later. */
  public void awaitRedisTime(long millis) throws InterruptedException {
    Eventually.await(
        "Redis's clock to reach " + millis,
        Duration.ofSeconds(30),
        () -> redisTimeMillis() >= millis);
  }

  private long redisTimeMillis() {
    try (Jedis jedis = redis.client()) {
      List<String> time = jedis.time();
      return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }
  }
}
