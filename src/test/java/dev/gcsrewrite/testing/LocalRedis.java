package dev.gcsrewrite.testing;

import dev.gcsrewrite.claim.RedisSettings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.rules.ExternalResource;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server (6.2, shipped in the embedded-redis jar) on a free loopback port, for the
 * duration of a test class: no persistence, its files in a folder under the build directory. It can
 * be stopped and started again on the same port to test what happens while Redis is down.
 */
public final class LocalRedis extends ExternalResource implements AutoCloseable {
  private final List<String> settings;
  private Path home;
  private int port;
  private RedisServer server;

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
    port = TestFiles.freePort();
    try {
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
    TestFiles.deleteTree(home);
  }

  /** Starts the server (again) on its port. */
  public void start() throws IOException {
    File executable = ExecutableProvider.newJarResourceProvider(home.toFile()).get();
    // Our own config file in the server's folder, read as a whole: later lines override earlier
    // ones, so the extra settings can replace the defaults (e.g. "port 0" for TLS only).
    List<String> config =
        new ArrayList<>(
            List.of("bind 127.0.0.1", "port " + port, "save \"\"", "appendonly no", "dir " + home));
    for (String setting : settings) {
      // "PORT" in a setting stands for this server's port (e.g. "tls-port PORT").
      config.add(setting.replace("PORT", Integer.toString(port)));
    }
    Path file = Files.write(home.resolve("redis.conf"), config);
    server = new RedisServer(port, List.of(executable.getAbsolutePath(), file.toString()), true);
    server.start();
  }

  /** Stops the server; its data is gone (no persistence), as after a crash without a replica. */
  public void stop() {
    if (server != null && server.isActive()) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public int port() {
    return port;
  }

  /** Settings for the pipeline to use this server, with a key prefix of the test's own. */
  public RedisSettings settings(String keyPrefix) {
    return new RedisSettings("127.0.0.1", port, false, null, null, keyPrefix);
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
