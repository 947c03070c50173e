package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * A pooled client of one Redis node (Memorystore for Redis) or of a cluster (Memorystore for Redis
 * Cluster, {@code --redisCluster}), behind one interface.
 *
 * <ul>
 *   <li>Beam makes a DoFn instance per worker thread, and a pool each would multiply connections by
 *       the thread count: {@link #shared} hands out one client per JVM and Redis, and the last
 *       {@link #close} of it closes it.
 *   <li>A rotated AUTH string (a new secret version, then {@code CONFIG SET requirepass}) fails
 *       every new connection with WRONGPASS while the secret read at start is cached: {@link
 *       #authFailed} reads it again and reconnects, at most once per {@link
 *       #MIN_REFRESH_INTERVAL_MILLIS}, so that a wrong secret is not hammered.
 *   <li>In a cluster a pipeline takes one round trip per node that owns some of its keys, in
 *       parallel, and scripts are loaded on every node, since each script call goes to its keys'.
 * </ul>
 */
final class RedisClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClient.class);

  /** Connect and read/write timeouts: a claim is a few milliseconds when Redis is healthy. */
  static final int TIMEOUT_MILLIS = 5_000;

  /** Connections per worker and node; threads beyond it wait for one. */
  static final int MAX_CONNECTIONS = 32;

  /** Fewest milliseconds between two reconnections after authentication failures. */
  static final long MIN_REFRESH_INTERVAL_MILLIS = 2_000;

  private static final Map<RedisSettings, RedisClient> SHARED = new HashMap<>();

  /** The connections, and a cluster's slot map: replaced together when reconnecting. */
  private record Pool(UnifiedJedis jedis, @Nullable ClusterConnectionProvider cluster) {}

  private final RedisSettings settings;
  private volatile Pool pool;
  private int holds = 1;
  private long refreshedAt;

  /**
   * A client of its own, for a command-line tool; fails if a secret cannot be read, the TLS trust
   * built or a cluster's layout read.
   */
  RedisClient(RedisSettings settings) throws IOException {
    this.settings = settings;
    this.pool = connect(settings);
  }

  /** A hold on the worker's client for {@code settings}, connected on first use. */
  static synchronized RedisClient shared(RedisSettings settings) throws IOException {
    RedisClient shared = SHARED.get(settings);
    if (shared != null) {
      shared.holds++;
      return shared;
    }
    LOG.info("Connecting to Redis at {}", settings.address());
    shared = new RedisClient(settings);
    SHARED.put(settings, shared);
    return shared;
  }

  /** A pipeline; the caller syncs and closes it. */
  PipelineBase pipeline() {
    Pool current = pool;
    return current.cluster() == null
        ? (PipelineBase) current.jedis().pipelined()
        : new ClusterPipeline(current.cluster());
  }

  /** The client, for commands outside pipelines. */
  UnifiedJedis jedis() {
    return pool.jedis();
  }

  /** Loads {@code script} on every node; returns the SHA-1 Redis reports. */
  String loadScript(String script) {
    ClusterConnectionProvider cluster = pool.cluster();
    if (cluster == null) {
      return jedis().scriptLoad(script);
    }
    String sha = null;
    JedisException failure = new JedisException("the cluster has no nodes");
    for (Map.Entry<String, ConnectionPool> node : cluster.getNodes().entrySet()) {
      try (Connection connection = node.getValue().getResource()) {
        sha = new Jedis(connection).scriptLoad(script);
      } catch (JedisException e) {
        // A replica or a node on its way out may refuse: the masters are what count, and a
        // script missing on one of them shows up as NOSCRIPT and is loaded again.
        LOG.debug("Could not load a claim script on {}: {}", node.getKey(), e.getMessage());
        failure = e;
      }
    }
    if (sha == null) {
      throw failure;
    }
    return sha;
  }

  /** After a redirection or a node failure: reads the cluster's slot layout again. */
  void refreshTopology() {
    ClusterConnectionProvider cluster = pool.cluster();
    if (cluster != null) {
      cluster.renewSlotCache();
    }
  }

  /** Redis refused the credentials: reconnects with the secret read anew, if it changed. */
  synchronized void authFailed() {
    long now = System.currentTimeMillis();
    String secret = settings.passwordSecret();
    if (now - refreshedAt < MIN_REFRESH_INTERVAL_MILLIS) {
      return;
    }
    refreshedAt = now;
    if (secret == null) {
      LOG.warn(
          "Redis at {} asks for a password; --redisPasswordSecret is unset", settings.address());
      return;
    }
    try {
      if (!Secrets.refresh(secret)) {
        LOG.warn(
            "Redis at {} refused the AUTH string from {}: unchanged", settings.address(), secret);
        return;
      }
      Pool replaced = pool;
      pool = connect(settings);
      replaced.jedis().close();
      PipelineMetrics.REDIS_AUTH_REFRESHES.inc();
      LOG.info("Redis at {} refused the AUTH string; read {} again", settings.address(), secret);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not read {} again: {}", secret, e.getMessage());
    }
  }

  /** Ends one hold; the last closes the connections. */
  @Override
  public void close() {
    synchronized (RedisClient.class) {
      if (--holds == 0) {
        SHARED.remove(settings, this);
        pool.jedis().close();
      }
    }
  }

  private static Pool connect(RedisSettings settings) throws IOException {
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
    JedisClientConfig config = client.build();
    GenericObjectPoolConfig<Connection> connections = new GenericObjectPoolConfig<>();
    connections.setMaxTotal(MAX_CONNECTIONS);
    connections.setMaxIdle(MAX_CONNECTIONS);
    connections.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
    connections.setJmxEnabled(false);
    HostAndPort address = new HostAndPort(settings.host(), settings.port());
    if (!settings.cluster()) {
      return new Pool(new JedisPooled(address, config, connections), null);
    }
    try {
      var cluster = new ClusterConnectionProvider(Set.of(address), config, connections);
      return new Pool(
          new JedisCluster(cluster, 5, Duration.ofMillis(4L * TIMEOUT_MILLIS)), cluster);
    } catch (JedisException e) {
      throw new IOException(
          "cannot read the cluster layout from " + settings.address() + ": " + e.getMessage(), e);
    }
  }

  /** A socket factory that trusts exactly the CA certificates in {@code pem}. */
  static SSLSocketFactory trusting(String pem) throws IOException {
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))) {
        trusted.setCertificateEntry("redis-ca-" + trusted.size(), certificate);
      }
      if (trusted.size() == 0) {
        throw new IOException("the TLS CA secret holds no PEM certificate");
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
}
