package dev.gcsrewrite.soak;

import dev.gcsrewrite.cli.LocalRuns;
import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.notifier.LocalBucketNotifier;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import dev.gcsrewrite.location.LocalGenerations;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.Jedis;

/**
 * The fault-injection soak: the local stack under a steady, seeded workload for a given number of
 * minutes while faults are injected on a seeded schedule, then a check of the invariants against
 * the buckets, Redis and every event topic, and a table.
 *
 * <ul>
 *   <li>Servers: the Pub/Sub emulator and a redis-server, each on a free loopback port, started and
 *       stopped by process ID as the local stack and the tests start them.
 *   <li>Pipelines: one or two JVMs from the bundled jar on the DirectRunner, sharing one
 *       subscription, one Redis and one output folder ({@link Pipelines}), with short leases.
 *   <li>Workload: creates, overwrites and deletes in a local work bucket whose notifications the
 *       local stack's notifier publishes, duplicates of them, hostile messages ({@link Workload}).
 *   <li>Faults: {@link Faults}; the invariants: {@link InvariantChecker}.
 * </ul>
 *
 * <p>Run by hand with {@code scripts/soak.sh} or {@code mvn -B -q test-compile exec:exec@soak
 * -Dsoak.args="--minutes=30 --seed=1"} after {@code mvn -B package -DskipTests}; {@code
 * FaultInjectionSoakIT} runs a short seeded soak in {@code mvn verify}. docs/soak.md has the
 * invariants, the command and a run's table.
 */
public final class Soak {
  static final String PROJECT = "soak-project";
  static final String BUCKET = "soakbucket01";
  static final String KEY_PREFIX = "soak:";
  static final String SUFFIX = ".processed";
  static final String NOTIFICATIONS = "notifications";
  static final String PROCESSING = "processing";
  static final String COMPLETE = "complete";
  static final String DEAD_LETTERS = "dead-letters";

  /**
   * Held, so that the level set on it is not lost with a collected logger: the notifier's line per
   * notification would drown the soak's own.
   */
  private static final java.util.logging.Logger NOTIFIER_LOGS =
      java.util.logging.Logger.getLogger("dev.gcsrewrite.local.notifier");

  /** What a soak found: its violations (none when it passed), the faults injected, its table. */
  public record Result(List<String> violations, Map<String, Long> faults, String table) {}

  private Soak() {}

  public static void main(String[] argv) {
    List<String> list = List.of(argv);
    if (list.contains("--help")) {
      System.out.println(SoakArgs.USAGE);
      return;
    }
    SoakArgs args;
    try {
      args = SoakArgs.parse(list);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.println(SoakArgs.USAGE);
      System.exit(2);
      return;
    }
    int status;
    try {
      status = run(args, System.out).violations().isEmpty() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("soak: failed: " + e);
      e.printStackTrace();
      status = 2;
    }
    System.exit(status);
  }

  /** Runs a soak with {@code args}, printing progress and the table on {@code out}. */
  public static Result run(SoakArgs args, PrintStream out) throws Exception {
    if (!Files.isRegularFile(args.jar())) {
      throw new IOException(args.jar() + " is missing: build it with mvn -B package -DskipTests");
    }
    NOTIFIER_LOGS.setLevel(java.util.logging.Level.WARNING);
    long start = System.nanoTime();
    Clock clock = new Clock(start);
    Path work = args.workDir();
    Folders.deleteTree(work);
    Path buckets = work.resolve("buckets");
    Path bucket = buckets.resolve(BUCKET);
    Path processed = work.resolve("processed");
    Files.createDirectories(bucket);
    // The generation store (made now, so that every generation is read pinned from the start).
    LocalGenerations.setVersioned(buckets, BUCKET, args.versioned());
    List<AutoCloseable> opened = new ArrayList<>();
    Thread hook = new Thread(() -> closeAll(opened), "soak-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      PubsubEmulatorProcess emulator =
          PubsubEmulatorProcess.start(
              PubsubEmulatorProcess.findJar(work.resolve("emulator")),
              work.resolve("emulator"),
              Ports.free());
      opened.add(emulator);
      PubsubAdmin pubsub = new PubsubAdmin(emulator.rootUrl(), PROJECT);
      for (String topic : List.of(NOTIFICATIONS, PROCESSING, COMPLETE, DEAD_LETTERS)) {
        pubsub.createTopic(topic);
      }
      pubsub.createSubscription(NOTIFICATIONS + "-pipelines", NOTIFICATIONS, 20);
      for (String topic : List.of(PROCESSING, COMPLETE, DEAD_LETTERS)) {
        pubsub.createSubscription(topic + "-soak", topic, 60);
      }
      TopicTap processingTap =
          new TopicTap(emulator.rootUrl(), pubsub.subscription(PROCESSING + "-soak"));
      TopicTap completeTap =
          new TopicTap(emulator.rootUrl(), pubsub.subscription(COMPLETE + "-soak"));
      TopicTap deadTap =
          new TopicTap(emulator.rootUrl(), pubsub.subscription(DEAD_LETTERS + "-soak"));
      List<TopicTap> taps = List.of(processingTap, completeTap, deadTap);

      LocalRedis redis = new LocalRedis("maxmemory-policy noeviction").open();
      opened.add(redis);
      out.printf(
          "soak: seed %d, %.1f min of workload, faults %s; emulator %s (pid %d), redis 127.0.0.1:%d;"
              + " work in %s%n",
          args.seed(),
          args.workload().toMillis() / 60_000.0,
          args.faultKinds().isEmpty()
              ? "none"
              : args.faultKinds().stream().map(FaultKind::flag).toList(),
          emulator.rootUrl(),
          emulator.pid(),
          redis.port(),
          work);

      Pipelines pipelines =
          new Pipelines(
              args.jar(),
              pipelineOptions(emulator.rootUrl(), buckets, processed, redis.port()),
              List.of(
                  "--inputSubscription=" + pubsub.subscription(NOTIFICATIONS + "-pipelines"),
                  "--claimLease=" + args.claimLease().toSeconds() + "s",
                  "--dedupeTtl=10m"),
              work.resolve("logs"));
      opened.add(pipelines);
      out.printf("[%4ds] started %s%n", clock.seconds(), pipelines.start("a"));

      NotifiedGenerations notified =
          new NotifiedGenerations(messages -> pubsub.publish(NOTIFICATIONS, messages));
      HostileMessages hostile =
          new HostileMessages(messages -> pubsub.publish(NOTIFICATIONS, messages), BUCKET);
      LocalBucketNotifier notifier = LocalBucketNotifier.builder(buckets, notified).build();
      notifier.start();
      opened.add(notifier);
      Workload workload = new Workload(bucket, args.objects(), args.seed(), notified, hostile);
      OutputWatch watch = new OutputWatch(processed, SUFFIX, notified, workload);
      hostile.publishEach();

      // A reconcile run holds its claims for its whole run, as docs/operations.md advises beside a
      // streaming job.
      Faults faults =
          new Faults(
              args.faultKinds(),
              args.seed(),
              pipelines,
              redis,
              KEY_PREFIX,
              BUCKET,
              args.claimLease(),
              List.of("--claimLease=2m", "--dedupeTtl=2m"),
              out,
              clock::seconds);
      // The workload's minutes count from now, with the servers and the first pipeline started.
      long end = System.nanoTime() + args.workload().toNanos();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer =
          thread("soak-workload", failure, () -> runWorkload(workload, args.opsPerSecond(), end));
      Thread injector =
          thread(
              "soak-faults",
              failure,
              () -> faults.run(args.warmUp(), args.faultGapMin(), args.faultGapMax(), end));
      long nextLine = 0;
      while (writer.isAlive() || injector.isAlive()) {
        (writer.isAlive() ? writer : injector).join(2000);
        drainAll(taps);
        watch.sample();
        if (failure.get() != null) {
          throw new IllegalStateException("the soak failed", failure.get());
        }
        if (clock.seconds() >= nextLine) {
          progress(out, clock, workload, notified, completeTap, deadTap, faults, pipelines);
          nextLine = clock.seconds() + 15;
        }
      }
      injector.join();
      if (failure.get() != null) {
        throw new IllegalStateException("the soak failed", failure.get());
      }
      long workloadEnded = clock.seconds();
      out.printf(
          "[%4ds] workload ended; waiting for the notifier, then for everything to settle%n",
          workloadEnded);
      awaitNotifier(notifier);
      Settling.await(
          args.drainCap(),
          redis,
          notified,
          taps,
          completeTap,
          faults,
          pipelines,
          watch,
          out,
          clock::seconds);
      long drained = clock.seconds() - workloadEnded;

      // Events may trail the last settlement by a moment.
      Thread.sleep(2000);
      drainAll(taps);
      RedisRecords last;
      try (Jedis jedis = redis.client()) {
        last = RedisRecords.read(jedis, KEY_PREFIX, BUCKET);
      }
      InvariantChecker.Findings findings =
          new InvariantChecker(
                  notified,
                  faults.kills(),
                  workload,
                  new RedisView(last, faults.beforeRestarts()),
                  processed,
                  SUFFIX,
                  args.versioned())
              .check(
                  completeTap.received(),
                  processingTap.received(),
                  deadTap.received(),
                  hostile.published(),
                  pipelines.unexpectedExits(),
                  pipelines.failedReconciles(),
                  watch);
      Observations.write(work.resolve("observed"), notified, completeTap, processingTap, deadTap);
      String table =
          SoakReport.table(
              args, workloadEnded, drained, faults, workload, notified, pipelines, findings);
      out.println();
      out.print(table);
      if (args.report() != null) {
        Files.createDirectories(args.report().toAbsolutePath().getParent());
        Files.writeString(args.report(), table, StandardCharsets.UTF_8);
        out.println("soak: table written to " + args.report());
      }
      Map<String, Long> injected = new java.util.TreeMap<>();
      faults.counts().forEach((kind, count) -> injected.put(kind.flag(), count));
      return new Result(findings.violations(), injected, table);
    } finally {
      closeAll(opened);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs (or ran) anyway.
      }
    }
  }

  /**
   * Options every pipeline and reconcile run shares: the local stack's (its DirectRunner settings
   * too), on the soak's servers and folders.
   */
  private static List<String> pipelineOptions(
      String rootUrl, Path buckets, Path processed, int redisPort) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "--runner=DirectRunner",
                "--project=" + PROJECT,
                "--pubsubRootUrl=" + rootUrl,
                "--credentialFactoryClass="
                    + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
                "--bucketRoot=" + buckets,
                "--workBuckets=" + BUCKET,
                "--processedBucket=" + processed,
                "--processingTopic=projects/" + PROJECT + "/topics/" + PROCESSING,
                "--completeTopic=projects/" + PROJECT + "/topics/" + COMPLETE,
                "--deadLetterTopic=projects/" + PROJECT + "/topics/" + DEAD_LETTERS,
                "--redisHost=127.0.0.1",
                "--redisPort=" + redisPort,
                "--keyPrefix=" + KEY_PREFIX,
                "--rewriteRules=AWS=GCP",
                "--outputSuffix=" + SUFFIX,
                "--claimRetention=1d"));
    options.addAll(LocalRuns.SETTINGS);
    return options;
  }

  private static void runWorkload(Workload workload, double opsPerSecond, long endNanos)
      throws IOException, InterruptedException {
    long interval = (long) (1_000_000_000L / opsPerSecond);
    long next = System.nanoTime();
    while (next < endNanos) {
      workload.step();
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  /** The notifier has scanned the last writes twice (they are stable) and published them. */
  private static void awaitNotifier(LocalBucketNotifier notifier) throws InterruptedException {
    Thread.sleep(3 * LocalBucketNotifier.DEFAULT_POLL_INTERVAL.toMillis() + 500);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (notifier.awaitingPublish() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
  }

  private static void progress(
      PrintStream out,
      Clock clock,
      Workload workload,
      NotifiedGenerations notified,
      TopicTap completeTap,
      TopicTap deadTap,
      Faults faults,
      Pipelines pipelines) {
    long operations = workload.done().values().stream().mapToLong(Long::longValue).sum();
    out.printf(
        "[%4ds] operations %d | generations notified %d | events on complete %d | dead letters %d"
            + " | faults %d | running %s%n",
        clock.seconds(),
        operations,
        notified.count(),
        completeTap.size(),
        deadTap.size(),
        faults.injected().size(),
        pipelines.running());
  }

  static void drainAll(List<TopicTap> taps) throws IOException {
    for (TopicTap tap : taps) {
      tap.drain();
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread thread(String name, AtomicReference<Throwable> failure, Body body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static synchronized void closeAll(List<AutoCloseable> opened) {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        System.err.println("soak: could not stop " + opened.get(i) + ": " + e);
      }
    }
    opened.clear();
  }

  /** Seconds since the soak started, for its lines. */
  private record Clock(long startNanos) {
    long seconds() {
      return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }
  }
}
