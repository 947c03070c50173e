package dev.gcsrewrite.redis;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How to reach the Redis that holds the claims: secret <em>references</em> only, never a secret, so
 * that the AUTH string, read on each worker when it connects, is never in the job graph, the
 * options or a log.
 *
 * @param host Redis host (Memorystore's IP on Google Cloud)
 * @param tls whether to connect with TLS (Memorystore in-transit encryption)
 * @param passwordSecret reference to the AUTH string (see {@link Secrets}), or null for none
 * @param tlsCaSecret reference to the PEM CA certificates to trust, or null for the JVM's
 * @param keyPrefix prepended to every key, so that several deployments can share one Redis
 * @param cluster whether {@code host:port} is a node of a Redis Cluster rather than the one node
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

  /** {@code host:port} and whether TLS or a cluster: for logs and messages. */
  public String address() {
    return host + ":" + port + (tls ? " (TLS)" : "") + (cluster ? " (cluster)" : "");
  }
}
