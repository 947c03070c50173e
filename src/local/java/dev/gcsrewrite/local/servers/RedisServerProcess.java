package dev.gcsrewrite.local.servers;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A real redis-server for local runs and tests, with nothing to install: the binary comes from the
 * embedded-redis artifact that the build downloads from Maven Central (redis 6.2 for Linux and
 * macOS, x86-64 and arm64). It listens on loopback only, keeps nothing on disk, and is stopped by
 * its process ID.
 */
public final class RedisServerProcess implements AutoCloseable {
  /** The artifact whose jar carries the binaries. */
  public static final String ARTIFACT = "com.github.codemonstur:embedded-redis";

  private final ChildProcess process;
  private final int port;

  private RedisServerProcess(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts {@code binary} on {@code port} with its files in {@code directory}; {@code settings} are
   * extra redis.conf lines, applied after the defaults (so they may override them), where {@code
   * PORT} stands for the port.
   */
  public static RedisServerProcess start(
      Path binary, Path directory, int port, List<String> settings) throws IOException {
    Files.createDirectories(directory);
    List<String> config =
        new ArrayList<>(
            List.of(
                "bind 127.0.0.1",
                "port " + port,
                "save \"\"",
                "appendonly no",
                "dir " + directory,
                "logfile \"\""));
    for (String setting : settings) {
      config.add(setting.replace("PORT", Integer.toString(port)));
    }
    Path file = Files.write(directory.resolve("redis.conf"), config);
    ChildProcess process =
        ChildProcess.start(
            "redis-server",
            List.of(binary.toString(), file.toString()),
            directory,
            directory.resolve("redis.log"));
    process.awaitListening(port, Duration.ofSeconds(30));
    return new RedisServerProcess(process, port);
  }

  /** Extracts the binary for this machine from the embedded-redis jar into {@code directory}. */
  public static Path extractBinary(Path embeddedRedisJar, Path directory) throws IOException {
    String wanted = platformSuffix();
    try (JarFile jar = new JarFile(embeddedRedisJar.toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (entry.getName().startsWith("redis-server-") && entry.getName().endsWith(wanted)) {
          Files.createDirectories(directory);
          Path binary = directory.resolve(entry.getName());
          try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
          }
          Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
          return binary;
        }
      }
    }
    throw new IOException(
        embeddedRedisJar + " has no redis-server for this machine (" + wanted.substring(1) + ")");
  }

  /** The embedded-redis jar on this class path (tests and tools that have it there). */
  public static Path jarOnClassPath() throws IOException {
    URL marker =
        RedisServerProcess.class.getClassLoader().getResource("redis/embedded/RedisServer.class");
    if (marker == null || !marker.getProtocol().equals("jar")) {
      throw new IOException(ARTIFACT + " is not on the class path");
    }
    String path = marker.getPath();
    try {
      return Path.of(new URL(path.substring(0, path.indexOf("!/"))).toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.close();
  }

  private static String platformSuffix() throws IOException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String system = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : null;
    String cpu =
        arch.equals("amd64") || arch.equals("x86_64")
            ? "amd64"
            : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : null;
    if (system == null || cpu == null) {
      throw new IOException("no bundled redis-server for " + os + " on " + arch);
    }
    return "-" + system + "-" + cpu;
  }
}
