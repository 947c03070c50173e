package dev.gcsrewrite.redis;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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
 * A pooled client of the Redis that holds the claims: one node (Memorystore for Redis), or a
 * cluster (Memorystore for Redis Cluster, {@code --redisCluster}), behind one interface.
 *
 * <p>Pipelines go to one node, or in a cluster to each node that owns some of the keys (one round
 * trip per node, in parallel). Scripts are loaded on every node, because a cluster routes each
 * script call to the node of its keys. A client that is not shared (a command-line tool's) is its
 * own {@link RedisCalls.Clients}.
 */
final class RedisClient implements RedisCalls.Clients {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClient.class);

  /** Connect and read/write timeouts: a claim is a few milliseconds when Redis is healthy. */
  static final int TIMEOUT_MILLIS = 5_000;

  /** Connections per worker and node; threads beyond it wait for one. */
  static final int MAX_CONNECTIONS = 32;

  private final UnifiedJedis jedis;
  private final @Nullable ClusterConnectionProvider cluster;

  private RedisClient(UnifiedJedis jedis, @Nullable ClusterConnectionProvider cluster) {
    this.jedis = jedis;
    this.cluster = cluster;
  }

  /**
   * Connects as {@code settings} say, reading the secrets they refer to (from {@link Secrets}'
   * cache; {@link Secrets#refresh} first to read them anew).
   *
   * @throws IOException if a secret cannot be read or the TLS trust cannot be built
   */
  static RedisClient connect(RedisSettings settings) throws IOException {
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
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(MAX_CONNECTIONS);
    pool.setMaxIdle(MAX_CONNECTIONS);
    pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
    pool.setJmxEnabled(false);
    HostAndPort address = new HostAndPort(settings.host(), settings.port());
    if (!settings.cluster()) {
      return new RedisClient(new JedisPooled(address, config, pool), null);
    }
    try {
      ClusterConnectionProvider provider =
          new ClusterConnectionProvider(Set.of(address), config, pool);
      return new RedisClient(
          new JedisCluster(provider, 5, Duration.ofMillis(4L * TIMEOUT_MILLIS)), provider);
    } catch (JedisException e) {
      // The cluster's layout is read on connecting: an unreachable seed fails here, not later.
      throw new IOException(
          "cannot read the cluster layout from " + settings.address() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public RedisClient current() {
    return this;
  }

  /** A pipeline; the caller syncs and closes it. */
  PipelineBase pipeline() {
    return cluster == null ? (PipelineBase) jedis.pipelined() : new ClusterPipeline(cluster);
  }

  /** Runs {@code call} with the client, for commands outside pipelines. */
  <T> T call(Function<UnifiedJedis, T> call) {
    return call.apply(jedis);
  }

  /** Loads {@code script} on every node; returns the SHA-1 Redis reports. */
  String loadScript(String script) {
    if (cluster == null) {
      return jedis.scriptLoad(script);
    }
    String sha = null;
    JedisException failure = null;
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
      throw failure != null ? failure : new JedisException("the cluster has no nodes");
    }
    return sha;
  }

  /** After a redirection or a node failure: reads the cluster's slot layout again. */
  void refreshTopology() {
    if (cluster != null) {
      cluster.renewSlotCache();
    }
  }

  @Override
  public void close() {
    jedis.close();
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
}
