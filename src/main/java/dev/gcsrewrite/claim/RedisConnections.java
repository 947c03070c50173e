package dev.gcsrewrite.claim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

/**
 * One Redis connection pool per worker JVM and Redis, shared by every DoFn instance that needs it.
 *
 * <p>Beam creates a DoFn instance per worker thread; a pool each would multiply connections by the
 * thread count. Instances {@link #acquire} the shared pool in {@code @Setup} and {@link
 * Handle#close release} it in {@code @Teardown}; the last release closes it.
 */
public final class RedisConnections {
  private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

  /** Connect and read/write timeouts: a claim is a few milliseconds when Redis is healthy. */
  static final int TIMEOUT_MILLIS = 5_000;

  /** Connections per worker and Redis; threads beyond it wait for one. */
  static final int MAX_CONNECTIONS = 32;

  private static final Map<RedisSettings, Shared> POOLS = new HashMap<>();

  private RedisConnections() {}

  /** The shared pool for {@code settings}, created on first use. */
  public static synchronized Handle acquire(RedisSettings settings) throws IOException {
    Shared shared = POOLS.get(settings);
    if (shared == null) {
      shared = new Shared(createPool(settings));
      POOLS.put(settings, shared);
      LOG.info("Connecting to Redis at {}", settings.address());
    }
    shared.users++;
    return new Handle(settings, shared.pool);
  }

  private static synchronized void release(RedisSettings settings) {
    Shared shared = POOLS.get(settings);
    if (shared != null && --shared.users == 0) {
      POOLS.remove(settings);
      shared.pool.close();
    }
  }

  /**
   * A pool of its own, for one-off clients such as the status command: the caller closes it.
   *
   * @throws IOException if a secret cannot be read or the TLS trust cannot be built
   */
  public static JedisPool createPool(RedisSettings settings) throws IOException {
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(TIMEOUT_MILLIS)
            .socketTimeoutMillis(TIMEOUT_MILLIS)
            .clientName("gcs-rewrite")
            .ssl(settings.tls());
    if (settings.passwordSecret() != null) {
      client.password(Secrets.read(settings.passwordSecret()));
    }
    if (settings.tls() && settings.tlsCaSecret() != null) {
      client.sslSocketFactory(trusting(Secrets.read(settings.tlsCaSecret())));
    }
    GenericObjectPoolConfig<Jedis> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(MAX_CONNECTIONS);
    pool.setMaxIdle(MAX_CONNECTIONS);
    pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
    pool.setJmxEnabled(false);
    return new JedisPool(pool, new HostAndPort(settings.host(), settings.port()), client.build());
  }

  /** A socket factory that trusts exactly the CA certificates in {@code pem}. */
  static SSLSocketFactory trusting(String pem) throws IOException {
    try {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
      if (certificates.isEmpty()) {
        throw new IOException("the TLS CA secret holds no PEM certificate");
      }
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int index = 0;
      for (Certificate certificate : certificates) {
        trusted.setCertificateEntry("redis-ca-" + index++, certificate);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException("the TLS CA secret is not usable: " + e.getMessage(), e);
    }
  }

  /** One user's hold on a shared pool. */
  public static final class Handle implements AutoCloseable {
    private final RedisSettings settings;
    private final JedisPool pool;
    private boolean closed;

    private Handle(RedisSettings settings, JedisPool pool) {
      this.settings = settings;
      this.pool = pool;
    }

    public JedisPool pool() {
      return pool;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(settings);
      }
    }
  }

  private static final class Shared {
    final JedisPool pool;
    int users;

    Shared(JedisPool pool) {
      this.pool = pool;
    }
  }
}
