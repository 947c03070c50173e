package dev.gcsrewrite.testing.servers;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.RedisServerProcess;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.rules.ExternalResource;
import redis.clients.jedis.Jedis;

/**
 * A real Redis Cluster of three masters (redis-server 6.2 from the embedded-redis jar, each in
 * cluster mode on a free loopback port), formed the way {@code redis-cli --cluster create} forms
 * one: the nodes meet, each takes a third of the 16384 slots, and the test waits until every node
 * reports the cluster ok. No replicas; nothing on disk.
 */
public final class LocalRedisCluster extends ExternalResource {
  private static final int SLOTS = 16384;
  private static final int MASTERS = 3;

  private final List<RedisServerProcess> nodes = new ArrayList<>();
  private Path home;

  @Override
  protected void before() throws Throwable {
    home = Files.createTempDirectory("redis-cluster-");
    try {
      Path binary = RedisServerProcess.extractBinary(RedisServerProcess.jarOnClassPath(), home);
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(
            RedisServerProcess.start(
                binary,
                home.resolve("node" + i),
                Ports.free(),
                List.of(
                    "cluster-enabled yes",
                    "cluster-config-file nodes-PORT.conf",
                    "cluster-node-timeout 5000")));
      }
      form();
    } catch (IOException | RuntimeException | InterruptedException e) {
      after();
      throw e;
    }
  }

  @Override
  protected void after() {
    nodes.forEach(RedisServerProcess::close);
    nodes.clear();
    Folders.deleteTree(home);
  }

  /** Settings for the pipeline: the first node as the seed, cluster mode on. */
  public RedisSettings settings(String keyPrefix) {
    return new RedisSettings("127.0.0.1", port(0), false, null, null, keyPrefix, true);
  }

  public int port(int node) {
    return nodes.get(node).port();
  }

  public int size() {
    return nodes.size();
  }

  /** A client of one node, for assertions; the caller closes it. */
  public Jedis node(int node) {
    return new Jedis("127.0.0.1", port(node));
  }

  /** Keys each node holds, e.g. to see that claims are spread over the masters. */
  public List<Long> keysPerNode() {
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      try (Jedis jedis = node(i)) {
        counts.add(jedis.dbSize());
      }
    }
    return counts;
  }

  /** Calls of {@code command} (e.g. "evalsha") on each node, from INFO commandstats. */
  public long calls(String command) {
    long total = 0;
    for (int i = 0; i < nodes.size(); i++) {
      try (Jedis jedis = node(i)) {
        for (String line : jedis.info("commandstats").split("\r?\n")) {
          if (line.startsWith("cmdstat_" + command + ":")) {
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
              if (field.startsWith("calls=")) {
                total += Long.parseLong(field.substring("calls=".length()));
              }
            }
          }
        }
      }
    }
    return total;
  }

  private void form() throws InterruptedException {
    try (Jedis first = node(0)) {
      for (int i = 1; i < nodes.size(); i++) {
        first.clusterMeet("127.0.0.1", port(i));
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      int from = i * SLOTS / MASTERS;
      int to = (i + 1) * SLOTS / MASTERS;
      try (Jedis jedis = node(i)) {
        jedis.clusterAddSlots(IntStream.range(from, to).toArray());
      }
    }
    Eventually.await("the cluster to form", Duration.ofSeconds(30), this::allNodesOk);
  }

  private boolean allNodesOk() {
    for (int i = 0; i < nodes.size(); i++) {
      try (Jedis jedis = node(i)) {
        String info = jedis.clusterInfo();
        if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:3")) {
          return false;
        }
      }
    }
    return true;
  }
}
