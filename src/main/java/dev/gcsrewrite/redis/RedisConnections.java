package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one client (and connection pool) per worker JVM and Redis, shared by every DoFn instance that
 * needs it, and rebuilt when the AUTH string changes.
 *
 * <ul>
 *   <li>Beam makes a DoFn instance per worker thread: a pool each would multiply connections by the
 *       thread count. Stores {@link #acquire} the shared client and {@link #close} their hold; the
 *       last hold closes it.
 *   <li>A rotated AUTH string (a new secret version, {@code CONFIG SET requirepass}) makes every
 *       new connection fail with WRONGPASS while the secret read at start is cached. The store then
 *       calls {@link #authFailed}: the secret is read again and the client rebuilt, at most once
 *       per {@link #MIN_REFRESH_INTERVAL_MILLIS} per Redis, so that a wrong secret is not hammered.
 * </ul>
 */
final class RedisConnections implements RedisCalls.Clients {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

  /** Fewest milliseconds between two rebuilds after authentication failures. */
  static final long MIN_REFRESH_INTERVAL_MILLIS = 2_000;

  private static final Map<RedisSettings, RedisConnections> SHARED = new HashMap<>();

  private final RedisSettings settings;
  private RedisClient client;
  private int holds;
  private long refreshedAt;

  private RedisConnections(RedisSettings settings, RedisClient client) {
    this.settings = settings;
    this.client = client;
  }

  /** A hold on the shared client for {@code settings}, created on first use. */
  static synchronized RedisConnections acquire(RedisSettings settings) throws IOException {
    RedisConnections shared = SHARED.get(settings);
    if (shared == null) {
      shared = new RedisConnections(settings, RedisClient.connect(settings));
      SHARED.put(settings, shared);
      LOG.info("Connecting to Redis at {}", settings.address());
    }
    shared.holds++;
    return shared;
  }

  @Override
  public synchronized RedisClient current() {
    return client;
  }

  /** Ends one hold; the last closes the client. */
  @Override
  public void close() {
    synchronized (RedisConnections.class) {
      if (--holds == 0) {
        SHARED.remove(settings);
        current().close();
      }
    }
  }

  /** Rebuilds the client with the secret read anew, unless another thread just did. */
  @Override
  public synchronized void authFailed(RedisClient failed) {
    long now = System.currentTimeMillis();
    if (client != failed || now - refreshedAt < MIN_REFRESH_INTERVAL_MILLIS) {
      return;
    }
    refreshedAt = now;
    if (settings.passwordSecret() == null) {
      LOG.warn(
          "Redis at {} asks for authentication, but --redisPasswordSecret is unset",
          settings.address());
      return;
    }
    try {
      if (!Secrets.refresh(settings.passwordSecret())) {
        LOG.warn(
            "Redis at {} refused the AUTH string from {}, and the secret has not changed;"
                + " retrying",
            settings.address(),
            settings.passwordSecret());
        return;
      }
      RedisClient replaced = client;
      client = RedisClient.connect(settings);
      replaced.close();
      PipelineMetrics.REDIS_AUTH_REFRESHES.inc();
      LOG.info(
          "Redis at {} refused the AUTH string; read {} again and reconnected",
          settings.address(),
          settings.passwordSecret());
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Could not read {} again after Redis refused the AUTH string: {}",
          settings.passwordSecret(),
          e.getMessage());
    }
  }
}
