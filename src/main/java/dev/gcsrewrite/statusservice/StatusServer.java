package dev.gcsrewrite.statusservice;

import com.sun.net.httpserver.HttpServer;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The status of objects over HTTP, read-only against Redis: what the {@code status} command prints,
 * for callers that cannot run the jar (a dashboard, another service, a user without Redis access),
 * in the shape of Google's long-running operations ({@link OperationJson}).
 *
 * <p>The JDK's own HTTP server and a small fixed pool: a lookup is a few Redis reads, so a handful
 * of threads keep up with hundreds of requests a second, and a burst waits in the queue rather than
 * opening more Redis connections than the client's pool holds. Paths: {@link RequestPath}.
 *
 * <pre>{@code
 * try (StatusServer server = StatusServer.start(new InetSocketAddress("127.0.0.1", 0), redis)) {
 *   URI uri = server.uri().resolve("/v1/objects/bucket/a%2Fb");
 * }
 * }</pre>
 */
public final class StatusServer implements AutoCloseable {
  /** Request threads: fewer than the Redis client's connections, so none waits for one. */
  static final int THREADS = 8;

  /** How often a lasting Redis outage is logged. */
  static final long OUTAGE_LOG_INTERVAL_MILLIS = 60_000;

  static {
    // The JDK's server writes an answer's headers and body apart, and with Nagle's algorithm on
    // the body waits for the client's delayed ACK: 40 ms a lookup on Linux, which caps 8 threads
    // near 200 lookups a second. Read once, when the server's configuration is first loaded.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final ClaimStore store;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StatusServer(HttpServer server, ExecutorService threads, ClaimStore store) {
    this.server = server;
    this.threads = threads;
    this.store = store;
  }

  /**
   * Starts serving on {@code address} (port 0: any free port) from the Redis of {@code redis}.
   * Redis need not answer yet: lookups answer 503 until it does.
   *
   * @throws IOException if the address cannot be bound, or the Redis client cannot be made (a
   *     secret that cannot be read, a cluster whose layout cannot be read)
   */
  public static StatusServer start(InetSocketAddress address, RedisSettings redis)
      throws IOException {
    ClaimStore store = ClaimStore.forCommand(redis);
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    AtomicInteger count = new AtomicInteger();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            THREADS,
            task -> {
              Thread thread = new Thread(task, "status-http-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(threads);
    server.createContext("/", new StatusHandler(store, new OutageLog(OUTAGE_LOG_INTERVAL_MILLIS)));
    server.start();
    return new StatusServer(server, threads, store);
  }

  /** The port it listens on (the one chosen when started on port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port}, as bound. */
  public String url() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** Stops listening, lets the requests under way finish (a second at most), closes Redis. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.stop(1);
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.close();
    }
  }
}
