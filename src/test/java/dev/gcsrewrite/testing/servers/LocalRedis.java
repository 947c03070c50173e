package dev.gcsrewrite.testing.servers;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.RedisServerProcess;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.rules.ExternalResource;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server (6.2, from the embedded-redis jar, started the way the local stack starts it)
 * on a free loopback port, for a test class: no persistence, its files in a folder under the build
 * directory. It can be stopped and started again on the same port to test what happens while Redis
 * is down.
 */
public final class LocalRedis extends ExternalResource implements AutoCloseable {
  private final List<String> settings;
  private Path home;
  private Path binary;
  private int port;
  private RedisServerProcess server;

  /**
   * A server with extra redis.conf lines (e.g. {@code requirepass x}); {@code PORT} in a line
   * stands for the server's port.
   */
  public LocalRedis(String... settings) {
    this.settings = List.of(settings);
  }

  @Override
  protected void before() throws Throwable {
    open();
  }

  @Override
  protected void after() {
    close();
  }

  /** Starts a server on a new free port (what the rule does before the tests). */
  public LocalRedis open() throws IOException {
    home = Files.createTempDirectory("redis-");
    try {
      binary = RedisServerProcess.extractBinary(RedisServerProcess.jarOnClassPath(), home);
      port = Ports.free();
      start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Stops the server and removes its files (what the rule does after the tests). */
  @Override
  public void close() {
    stop();
    Folders.deleteTree(home);
  }

  /** Starts the server (again) on its port, empty. */
  public void start() throws IOException {
    server = RedisServerProcess.start(binary, home.resolve("data"), port, settings);
  }

  /** Stops the server; its data is gone (no persistence), as after a crash without a replica. */
  public void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  public int port() {
    return port;
  }

  /** Settings for the pipeline to use this server, with a key prefix of the test's own. */
  public RedisSettings settings(String keyPrefix) {
    return new RedisSettings("127.0.0.1", port, false, null, null, keyPrefix, false);
  }

  /** A client for assertions; the caller closes it. */
  public Jedis client() {
    return new Jedis("127.0.0.1", port);
  }

  /** Calls per command from {@code INFO commandstats}, e.g. {@code evalsha -> 12}. */
  public Map<String, Long> commandCalls() {
    Map<String, Long> calls = new TreeMap<>();
    try (Jedis jedis = client()) {
      for (String line : jedis.info("commandstats").split("\r?\n")) {
        if (line.startsWith("cmdstat_")) {
          String name = line.substring("cmdstat_".length(), line.indexOf(':'));
          String stats = line.substring(line.indexOf(':') + 1);
          for (String field : stats.split(",")) {
            if (field.startsWith("calls=")) {
              calls.put(name, Long.parseLong(field.substring("calls=".length())));
            }
          }
        }
      }
    }
    return calls;
  }
}
