package dev.gcsrewrite.benchmark;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.local.Latencies;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.statusservice.StatusServer;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Lookup latency of serve-status under a steady load: a real redis-server, {@code
 * bench.statusObjects} objects' records made through the claim store (70% completed, 20% skipped,
 * 10% in flight, each with two generations), the server in this JVM on a free port, and GETs sent
 * open-loop at {@code bench.statusRate} a second for {@code bench.statusSeconds} by {@code
 * bench.statusClients} client threads, half for an object's newest generation and half for a given
 * one. Each latency runs from the moment the request was due, not when a thread got to it, so a
 * stall shows as the wait it causes (no coordinated omission). A warm-up of five seconds at the
 * same rate is not counted. Not a test (surefire skips {@code *Benchmark}); run it with {@code mvn
 * -B -q test-compile exec:exec@status-http-benchmark [-Dbench.statusRate=R]
 * [-Dbench.statusSeconds=S]}.
 */
public final class StatusHttpBenchmark {
  private static final ClaimSettings JOB = ClaimFixtures.owner("bench-job");
  private static final String BUCKET = "work";

  private StatusHttpBenchmark() {}

  public static void main(String[] args) throws Exception {
    int objects = Integer.getInteger("bench.statusObjects", 1000);
    int rate = Integer.getInteger("bench.statusRate", 200);
    int seconds = Integer.getInteger("bench.statusSeconds", 30);
    int clients = Integer.getInteger("bench.statusClients", 8);
    try (LocalRedis redis = new LocalRedis().open()) {
      try (ClaimStore store = ClaimStore.forCommand(redis.settings("bench:"))) {
        seed(store, objects);
      }
      try (StatusServer server =
          StatusServer.start(new InetSocketAddress("127.0.0.1", 0), redis.settings("bench:"))) {
        Load warmup = new Load(server.url(), objects, rate, 5, clients, 1);
        warmup.run();
        Load load = new Load(server.url(), objects, rate, seconds, clients, 2);
        load.run();
        load.print(objects, rate, seconds, clients);
      }
    }
  }

  /** Two generations of each object; the newer completed, skipped or left in flight. */
  private static void seed(ClaimStore store, int objects) {
    for (long generation : List.of(100L, 200L)) {
      List<GcsNotification> batch = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        batch.add(Notifications.parsed(BUCKET, name(i), generation, "m-" + i + "-" + generation));
      }
      List<ClaimDecision> decisions = store.claim(batch, JOB);
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        Claim claim = new Claim(batch.get(i), decisions.get(i).token());
        int kind = i % 10;
        if (generation == 100L || kind < 7) {
          outcomes.add(Outcome.complete(claim, "gs://out/" + name(i) + ".processed", 1234));
        } else if (kind < 9) {
          outcomes.add(Outcome.skipped(claim, Outcome.SOURCE_MISSING));
        }
      }
      store.settle(outcomes, JOB);
    }
  }

  /** Object names with slashes, as the lookups encode them. */
  private static String name(int i) {
    return "reports/" + (i % 37) + "/object-" + i + ".txt";
  }

  /** An open-loop load: request {@code i} is due at start + i / rate, whatever came before. */
  private static final class Load {
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<Long> micros = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong errors = new AtomicLong();
    private final String url;
    private final int objects;
    private final int rate;
    private final int seconds;
    private final int clients;
    private final Random random;
    private long elapsedNanos;

    Load(String url, int objects, int rate, int seconds, int clients, long seed) {
      this.url = url;
      this.objects = objects;
      this.rate = rate;
      this.seconds = seconds;
      this.clients = clients;
      this.random = new Random(seed);
    }

    void run() throws InterruptedException {
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long total = (long) rate * seconds;
      long start = System.nanoTime();
      for (long i = 0; i < total; i++) {
        long due = start + i * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        URI uri = URI.create(url + path(random.nextInt(objects), random.nextBoolean()));
        pool.execute(() -> get(uri, due));
      }
      pool.shutdown();
      pool.awaitTermination(2, TimeUnit.MINUTES);
      elapsedNanos = System.nanoTime() - start;
    }

    private String path(int object, boolean latest) {
      String encoded = name(object).replace("/", "%2F");
      return "/v1/objects/" + BUCKET + "/" + encoded + (latest ? "" : "/generations/100");
    }

    private void get(URI uri, long due) {
      try {
        HttpResponse<byte[]> response =
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
          errors.incrementAndGet();
        }
      } catch (Exception e) {
        errors.incrementAndGet();
      }
      micros.add((System.nanoTime() - due) / 1000);
    }

    void print(int objects, int rate, int seconds, int clients) {
      Latencies latencies = Latencies.of(micros);
      System.out.printf(
          Locale.ROOT,
          "%nserve-status lookups: %d objects seeded, %d GET/s for %d s, %d client threads,"
              + " open-loop%n%n",
          objects,
          rate,
          seconds,
          clients);
      System.out.println("| requests | non-200 | achieved/s | p50 | p95 | p99 | max |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
      System.out.printf(
          Locale.ROOT,
          "| %d | %d | %.1f | %s | %s | %s | %s |%n",
          latencies.count(),
          errors.get(),
          latencies.count() / (elapsedNanos / 1e9),
          millis(latencies.percentile(50)),
          millis(latencies.percentile(95)),
          millis(latencies.percentile(99)),
          millis(latencies.percentile(100)));
    }

    private static String millis(long micros) {
      return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }
  }
}
