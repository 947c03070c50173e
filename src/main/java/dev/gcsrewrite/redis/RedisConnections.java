package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis client (and its connection pool) per worker JVM and Redis, shared by every DoFn
 * instance that needs it, and replaced when the AUTH string changes.
 *
 * <p>Beam creates a DoFn instance per worker thread; a pool each would multiply connections by the
 * thread count. Instances {@link #acquire} the shared client in {@code @Setup} and {@link
 * Handle#close release} it in {@code @Teardown}; the last release closes it.
 *
 * <p>A rotated AUTH string (a new secret version, {@code CONFIG SET requirepass}) makes every new
 * connection fail with WRONGPASS while the secret read at start is cached. On such a failure the
 * store calls {@link Handle#authFailed}: the secret is read again and the client rebuilt, at most
 * once per {@link #MIN_REFRESH_INTERVAL_MILLIS} per Redis, so a wrong secret is not hammered.
 */
public final class RedisConnections {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

  /** Fewest milliseconds between two rebuilds after authentication failures. */
  static final long MIN_REFRESH_INTERVAL_MILLIS = 2_000;

  private static final Map<RedisSettings, Shared> CLIENTS = new HashMap<>();

  private RedisConnections() {}

  /** The shared client for {@code settings}, created on first use. */
  static synchronized Handle acquire(RedisSettings settings) throws IOException {
    Shared shared = CLIENTS.get(settings);
    if (shared == null) {
      shared = new Shared(settings, RedisClient.connect(settings));
      CLIENTS.put(settings, shared);
      LOG.info("Connecting to Redis at {}", settings.address());
    }
    shared.users++;
    return new Handle(shared);
  }

  private static synchronized void release(Shared shared) {
    if (--shared.users == 0) {
      CLIENTS.remove(shared.settings);
      shared.client.close();
    }
  }

  /** One user's hold on a shared client. */
  static final class Handle implements RedisCalls.Clients {
    private final Shared shared;
    private boolean closed;

    private Handle(Shared shared) {
      this.shared = shared;
    }

    @Override
    public RedisClient current() {
      synchronized (shared) {
        return shared.client;
      }
    }

    @Override
    public void authFailed(RedisClient failed) {
      shared.refresh(failed);
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(shared);
      }
    }
  }

  private static final class Shared {
    final RedisSettings settings;
    RedisClient client;
    int users;
    long refreshedAt;

    Shared(RedisSettings settings, RedisClient client) {
      this.settings = settings;
      this.client = client;
    }

    /** Rebuilds the client with the secret read anew, unless another thread just did. */
    synchronized void refresh(RedisClient failed) {
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
        boolean changed = Secrets.refresh(settings.passwordSecret());
        if (!changed) {
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
}
