package dev.gcsrewrite.redis;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How to reach the Redis that holds the claims. Carries secret <em>references</em> only, never a
 * secret: the AUTH string is read on each worker when it first connects, so it never appears in the
 * job graph, the options or a log.
 *
 * @param host Redis host (Memorystore's IP on Google Cloud)
 * @param port Redis port
 * @param tls whether to connect with TLS (Memorystore in-transit encryption)
 * @param passwordSecret reference to the AUTH string (see {@link Secrets}), or null for none
 * @param tlsCaSecret reference to the PEM CA certificate(s) to trust for TLS, or null for the JVM's
 *     trust store
 * @param keyPrefix prepended to every key, so several deployments can share one Redis
 * @param cluster whether {@code host:port} is a node of a Redis Cluster (whose layout is read from
 *     it) rather than the one node
 */
public record RedisSettings(
    String host,
    int port,
    boolean tls,
    @Nullable String passwordSecret,
    @Nullable String tlsCaSecret,
    String keyPrefix,
    boolean cluster)
    implements Serializable {

  /** Settings of a single Redis node. */
  public RedisSettings(
      String host,
      int port,
      boolean tls,
      @Nullable String passwordSecret,
      @Nullable String tlsCaSecret,
      String keyPrefix) {
    this(host, port, tls, passwordSecret, tlsCaSecret, keyPrefix, false);
  }

  /** {@code host:port}, plus " (TLS)" when encrypted: for logs and messages. */
  public String address() {
    return host + ":" + port + (tls ? " (TLS)" : "") + (cluster ? " (cluster)" : "");
  }
}
