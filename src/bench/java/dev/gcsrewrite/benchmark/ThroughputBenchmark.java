package dev.gcsrewrite.benchmark;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.benchmark.measure.HeapWatch;
import dev.gcsrewrite.benchmark.measure.JfrHotSpots;
import dev.gcsrewrite.benchmark.measure.NotifiedObjects;
import dev.gcsrewrite.benchmark.measure.NotifiedObjects.NotifiedObject;
import dev.gcsrewrite.benchmark.measure.ProcessCpu;
import dev.gcsrewrite.benchmark.measure.RedisStats;
import dev.gcsrewrite.benchmark.measure.RunFigures;
import dev.gcsrewrite.benchmark.measure.TopicWatch;
import dev.gcsrewrite.benchmark.measure.TopicWatch.Arrival;
import dev.gcsrewrite.cli.LocalRuns;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.Latencies;
import dev.gcsrewrite.local.LocalStack;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import dev.gcsrewrite.local.servers.RedisServerProcess;
import dev.gcsrewrite.metrics.MetricsReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import redis.clients.jedis.Jedis;

/**
 * Throughput of gcs-rewrite against the transport alone: the Pub/Sub emulator and a real
 * redis-server started here, then for each round a pass-through pipeline (PubsubIO read of a
 * subscription, PubsubIO write to a topic, nothing else) and gcs-rewrite, one after the other, on
 * the DirectRunner in this JVM, each fed the same notifications of the same fresh objects. Not a
 * test (surefire skips {@code *Benchmark}); run it with {@code mvn -B -q test-compile
 * exec:exec@throughput-benchmark [-Dbench.objects=N] [-Dbench.rounds=R] [-Dbench.warmup=W]
 * [-Dbench.jvmWarmup=J] [-Dbench.jfr=file.jfr] [-Dbench.beamDefaults=true]
 * [-Dbench.passThroughSteps=S]}; {@code beamDefaults} runs gcs-rewrite with the DirectRunner's own
 * defaults instead of the local stack's settings ({@link LocalRuns#SETTINGS}), for a before/after
 * of those; {@code passThroughSteps} puts S steps that pass every message on unchanged between the
 * pass-through's read and write, to measure what the runner costs per step of a graph.
 *
 * <p>With {@code -Dbench.latency=true}, after the rounds: latency under a steady load, for both
 * pipelines in the same run, at a light load ({@code -Dbench.lightRate=5} objects/s) and at half
 * the objects/s gcs-rewrite reached in the last round, each for {@code -Dbench.latencySeconds=60}:
 * notifications published in ticks of 20 ms at that rate, each object's latency from the tick that
 * sent its notification to its output (the emulator's {@code publishTime}), and a table of p50,
 * p95, p99 and max.
 *
 * <p>gcs-rewrite runs as {@code scripts/run-local.sh} runs it: the options of {@code
 * pipeline-options/local.conf}, then the local stack's own ({@code LocalStack.pipelineOptions}),
 * the DirectRunner with the stack's settings ({@code blockOnRun=false} and {@link
 * LocalRuns#SETTINGS}), its logs at INFO to a file. Each round writes N new objects of at most 2
 * KiB (the local stack's work generator) and W more for the warm-up, keeps each generation in the
 * bucket's generation store as the stack's notifier does, and makes the OBJECT_FINALIZE
 * notifications Cloud Storage would send. Each pipeline gets topics and subscriptions of its own in
 * each round. A run goes: publish the W warm-up notifications, launch the pipeline ({@code run()}),
 * wait for all W outputs (so that JIT compilation and first bundles are out of the measurement),
 * then publish the N notifications at once and wait for all N outputs: the pass-through's messages
 * on its output topic, gcs-rewrite's distinct {@code complete} events. Output times are the
 * emulator's {@code publishTime}s. Before round 1, a round 0 of J objects (1,000 by default) runs
 * both pipelines the same way and is not reported in the tables: a warm-up of W objects leaves the
 * first pipeline of a fresh JVM (and the emulator's) still compiling, and would make round 1 a
 * measure of the JIT.
 *
 * <p>Measured per run: first publish to last output and objects/s; launch to first output (of the
 * warm-up); CPU time over the measured window of this JVM (which runs the pipeline; its JIT and GC
 * threads' share too), the emulator and redis-server (separate processes, from /proc); Redis's
 * commands and read events (round trips) per object from its own INFO counters, and the pipeline's
 * own round-trip counter; the heap. Each gcs-rewrite run is checked: every output byte for byte, N
 * distinct complete events (none skipped), N processing events, no dead letter. With {@code
 * -Dbench.jfr=file}, the measured window of round 1's gcs-rewrite run is recorded with JFR's {@code
 * profile} settings and its hot spots printed (that round's figures then include the recording's
 * cost).
 */
public final class ThroughputBenchmark {
  private static final String PROJECT = LocalStack.PROJECT;

  /** The local stack's default work bucket. */
  private static final String BUCKET = "workbucket01";

  private static final String EMULATOR_CREDENTIALS =
      "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory";

  /** HotSpot's JIT compiler threads and G1's collector threads, by their names in /proc. */
  private static final String[] JIT_THREADS = {"C1 CompilerThre", "C2 CompilerThre"};

  private static final String[] GC_THREADS = {"GC Thread", "G1 "};

  private static final String PASS_THROUGH = RunFigures.PASS_THROUGH;
  private static final String GCS_REWRITE = RunFigures.GCS_REWRITE;

  /** How often a paced load publishes what is due. */
  private static final Duration TICK = Duration.ofMillis(20);

  /** Held, so that the levels set on them are not lost with collected loggers. */
  private static final List<Logger> LOGGERS = new ArrayList<>();

  private final Path buckets;
  private final Path processed;
  private final PubsubEmulatorProcess emulator;
  private final RedisServerProcess redis;
  private final PubsubAdmin pubsub;
  private final Jedis redisReader;
  private final List<String> localOptions;
  private final Duration timeout;
  private final List<String> problems = new ArrayList<>();

  private ThroughputBenchmark(
      Path root,
      PubsubEmulatorProcess emulator,
      RedisServerProcess redis,
      Jedis redisReader,
      List<String> localOptions,
      Duration timeout) {
    this.buckets = root.resolve("buckets");
    this.processed = root.resolve("processed");
    this.emulator = emulator;
    this.redis = redis;
    this.pubsub = new PubsubAdmin(emulator.rootUrl(), PROJECT);
    this.redisReader = redisReader;
    this.localOptions = localOptions;
    this.timeout = timeout;
  }

  public static void main(String[] args) throws Exception {
    int objects = Integer.parseInt(System.getProperty("bench.objects", "2000"));
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "2"));
    int warmup = Integer.parseInt(System.getProperty("bench.warmup", "100"));
    int jvmWarmup = Integer.parseInt(System.getProperty("bench.jvmWarmup", "1000"));
    String jfr = System.getProperty("bench.jfr", "").trim();
    Duration timeout =
        Duration.ofMinutes(Long.parseLong(System.getProperty("bench.timeoutMinutes", "20")));
    Path root =
        Path.of(System.getProperty("bench.dir", "target/throughput-benchmark")).toAbsolutePath();
    List<String> localOptions = localConf();

    String loadAtStart = ProcessCpu.loadAverage();
    System.out.printf(
        Locale.ROOT,
        "throughput benchmark, %s: %,d objects per round (after a warm-up of %d), %d round%s;"
            + " %d cores, Java %s, max heap %d MiB%n",
        ZonedDateTime.now().withNano(0),
        objects,
        warmup,
        rounds,
        rounds == 1 ? "" : "s",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("load average at start (1, 5, 15 min): " + loadAtStart);
    System.out.println("gcs-rewrite options from pipeline-options/local.conf: " + localOptions);

    Folders.deleteTree(root);
    Files.createDirectories(root);
    Path log = root.resolve("pipeline.log");
    logToFile(log);
    List<RunFigures> figures = new ArrayList<>();
    List<String> latencies = new ArrayList<>();
    ThroughputBenchmark bench = null;
    try (PubsubEmulatorProcess emulator =
            PubsubEmulatorProcess.start(
                PubsubEmulatorProcess.findJar(root), root.resolve("emulator"), Ports.free());
        RedisServerProcess redis =
            RedisServerProcess.start(
                RedisServerProcess.extractBinary(
                    RedisServerProcess.jarOnClassPath(), root.resolve("redis")),
                root.resolve("redis").resolve("data"),
                Ports.free(),
                List.of());
        Jedis reader = new Jedis("127.0.0.1", redis.port())) {
      System.out.printf(
          Locale.ROOT,
          "Pub/Sub emulator %s (pid %d); redis-server 127.0.0.1:%d (pid %d); pipeline logs: %s%n%n",
          emulator.rootUrl(),
          emulator.pid(),
          redis.port(),
          redis.pid(),
          log);
      bench = new ThroughputBenchmark(root, emulator, redis, reader, localOptions, timeout);
      if (jvmWarmup > 0) {
        System.out.printf(
            Locale.ROOT,
            "round 0 warms this JVM and the emulator up (JIT compilation) with %,d objects per"
                + " pipeline; its figures are not in the tables%n",
            jvmWarmup);
        List<NotifiedObject> warm =
            NotifiedObjects.write(bench.buckets, BUCKET, "round0-warmup", warmup, 1);
        List<NotifiedObject> measured =
            NotifiedObjects.write(bench.buckets, BUCKET, "round0", jvmWarmup, 2);
        bench.passThrough(0, warm, measured);
        bench.gcsRewrite(0, warm, measured, null);
      }
      for (int round = 1; round <= rounds; round++) {
        List<NotifiedObject> warm =
            NotifiedObjects.write(
                bench.buckets, BUCKET, "round" + round + "-warmup", warmup, 1000L * round + 1);
        List<NotifiedObject> measured =
            NotifiedObjects.write(
                bench.buckets, BUCKET, "round" + round, objects, 1000L * round + 2);
        figures.add(bench.passThrough(round, warm, measured));
        Path recording = round == 1 && !jfr.isEmpty() ? Path.of(jfr).toAbsolutePath() : null;
        figures.add(bench.gcsRewrite(round, warm, measured, recording));
      }
      if (Boolean.getBoolean("bench.latency")) {
        double lightRate = Double.parseDouble(System.getProperty("bench.lightRate", "5"));
        int loadSeconds = Integer.getInteger("bench.latencySeconds", 60);
        double measuredRate = figures.get(figures.size() - 1).perSecond();
        latencies.add(bench.latencyUnder("light", rounds + 1, lightRate, loadSeconds, warmup));
        latencies.add(
            bench.latencyUnder("half", rounds + 2, measuredRate / 2, loadSeconds, warmup));
      }
    } finally {
      System.out.println("stopped the emulator and redis-server (by pid)");
    }
    RunFigures.printTables(figures);
    if (!latencies.isEmpty()) {
      System.out.println();
      System.out.println(
          "Latency, notification published to output (the pass-through's message on its output"
              + " topic, gcs-rewrite's complete event), nearest-rank percentiles:");
      System.out.println();
      System.out.println(
          "| load | objects/s | pipeline | objects | p50 (s) | p95 (s) | p99 (s) | max (s) |");
      System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
      latencies.forEach(System.out::println);
    }
    System.out.println("load average at start (1, 5, 15 min): " + loadAtStart);
    System.out.println("load average at end   (1, 5, 15 min): " + ProcessCpu.loadAverage());
    if (!jfr.isEmpty()) {
      System.out.println();
      JfrHotSpots.print(Path.of(jfr), 25, System.out);
    }
    if (!Boolean.getBoolean("bench.keep")) {
      Folders.deleteTree(root);
    }
    List<String> problems = bench == null ? List.of("did not start") : bench.problems;
    System.out.println(problems.isEmpty() ? "result: OK" : "result: FAILED " + problems);
    System.exit(problems.isEmpty() ? 0 : 1);
  }

  // --- latency under a steady load --------------------------------------------------------------

  /**
   * Both pipelines, one after the other, fed {@code rate} new objects a second for {@code seconds}
   * (after a warm-up of {@code warmup} at once); two rows of the latency table.
   */
  private String latencyUnder(String load, int round, double rate, int seconds, int warmup)
      throws Exception {
    int count = Math.max(1, (int) Math.round(rate * seconds));
    System.out.printf(
        Locale.ROOT,
        "%n%s load: %.1f objects/s for %d s (%,d objects) into each pipeline%n",
        load,
        rate,
        seconds,
        count);
    List<NotifiedObject> warm =
        NotifiedObjects.write(buckets, BUCKET, load + "-warmup", warmup, 1000L * round + 1);
    List<NotifiedObject> measured =
        NotifiedObjects.write(buckets, BUCKET, load, count, 1000L * round + 2);
    Measured passThrough = passThrough(round, load, warm, measured, rate);
    Measured gcsRewrite = gcsRewrite(round, load, warm, measured, rate, null);
    return latencyRow(load, rate, PASS_THROUGH, passThrough)
        + System.lineSeparator()
        + latencyRow(load, rate, GCS_REWRITE, gcsRewrite);
  }

  private static String latencyRow(String load, double rate, String pipeline, Measured run) {
    Latencies l = run.latencies();
    return String.format(
        Locale.ROOT,
        "| %s | %.1f | %s | %,d | %.2f | %.2f | %.2f | %.2f |",
        load,
        rate,
        pipeline,
        l.count(),
        l.percentile(50) / 1000.0,
        l.percentile(95) / 1000.0,
        l.percentile(99) / 1000.0,
        l.percentile(100) / 1000.0);
  }

  // --- the pass-through ------------------------------------------------------------------------

  /** A step that does nothing but pass its message on: what the runner costs per step. */
  private static final class PassFn extends DoFn<PubsubMessage, PubsubMessage> {
    @ProcessElement
    public void process(@Element PubsubMessage message, OutputReceiver<PubsubMessage> out) {
      out.output(message);
    }
  }

  private RunFigures passThrough(
      int round, List<NotifiedObject> warm, List<NotifiedObject> measured) throws Exception {
    return passThrough(round, "r" + round, warm, measured, 0).figures;
  }

  private Measured passThrough(
      int round,
      String label,
      List<NotifiedObject> warm,
      List<NotifiedObject> measured,
      double rate)
      throws Exception {
    String name = "pt-" + label;
    pubsub.createTopic(name + "-in");
    pubsub.createSubscription(name + "-in-pipeline", name + "-in", 60);
    pubsub.createTopic(name + "-out");
    pubsub.createSubscription(name + "-out-watch", name + "-out", 60);
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--project=" + PROJECT,
                "--pubsubRootUrl=" + emulator.rootUrl(),
                "--credentialFactoryClass=" + EMULATOR_CREDENTIALS,
                "--jobName=" + name)
            .create();
    options.as(StreamingOptions.class).setStreaming(true);
    options.as(DirectOptions.class).setBlockOnRun(false);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<PubsubMessage> passed =
        pipeline.apply(
            "Read",
            PubsubIO.readMessagesWithAttributesAndMessageId()
                .fromSubscription(pubsub.subscription(name + "-in-pipeline")));
    for (int step = 0; step < Integer.getInteger("bench.passThroughSteps", 0); step++) {
      passed = passed.apply("Pass" + step, ParDo.of(new PassFn())).setCoder(passed.getCoder());
    }
    passed.apply("Write", PubsubIO.writeMessages().to(pubsub.topic(name + "-out")));

    Function<Arrival, String> key =
        a ->
            a.attribute("bucketId")
                + "/"
                + a.attribute("objectId")
                + "#"
                + a.attribute("objectGeneration");
    Set<String> warmKeys = keys(warm, o -> BUCKET + "/" + o.objectId() + "#" + o.generation());
    Set<String> measuredKeys =
        keys(measured, o -> BUCKET + "/" + o.objectId() + "#" + o.generation());
    try (TopicWatch out =
        TopicWatch.start(emulator.rootUrl(), pubsub.subscription(name + "-out-watch"))) {
      Run run =
          measure(
              round,
              PASS_THROUGH,
              name + "-in",
              warm,
              measured,
              pipeline::run,
              out,
              a -> warmKeys.contains(key.apply(a)),
              a -> measuredKeys.contains(key.apply(a)),
              key,
              o -> BUCKET + "/" + o.objectId() + "#" + o.generation(),
              rate,
              null);
      try {
        List<String> checks = new ArrayList<>();
        int messages =
            (int) out.arrivals().stream().filter(a -> measuredKeys.contains(key.apply(a))).count();
        boolean ok = run.outputs == measured.size();
        checks.add(
            String.format(
                Locale.ROOT,
                "%,d of %,d notifications on the output topic (%,d messages: %,d repeats)",
                run.outputs,
                measured.size(),
                messages,
                messages - run.outputs));
        return run.measured(
            RedisStats.between(run.redisBefore, RedisStats.read(redisReader)), 0, 0, checks, ok);
      } finally {
        run.stop();
      }
    }
  }

  // --- gcs-rewrite -----------------------------------------------------------------------------

  private RunFigures gcsRewrite(
      int round, List<NotifiedObject> warm, List<NotifiedObject> measured, Path recording)
      throws Exception {
    return gcsRewrite(round, "r" + round, warm, measured, 0, recording).figures;
  }

  private Measured gcsRewrite(
      int round,
      String label,
      List<NotifiedObject> warm,
      List<NotifiedObject> measured,
      double rate,
      Path recording)
      throws Exception {
    String name = "gr-" + label;
    for (String topic : List.of("work", "processing", "complete", "dead")) {
      pubsub.createTopic(name + "-" + topic);
    }
    pubsub.createSubscription(name + "-work-pipeline", name + "-work", 60);
    for (String topic : List.of("processing", "complete", "dead")) {
      pubsub.createSubscription(name + "-" + topic + "-watch", name + "-" + topic, 60);
    }
    GcsRewriteOptions options = gcsRewriteOptions(name);
    JobSettings settings = JobSettings.from(options);

    Predicate<Arrival> complete = a -> "complete".equals(a.attribute("eventType"));
    Function<Arrival, String> key = a -> a.attribute("eventId");
    Set<String> warmIds = keys(warm, o -> eventId(o, "complete"));
    Set<String> measuredIds = keys(measured, o -> eventId(o, "complete"));
    try (TopicWatch events =
        TopicWatch.start(emulator.rootUrl(), pubsub.subscription(name + "-complete-watch"))) {
      Run run =
          measure(
              round,
              GCS_REWRITE,
              name + "-work",
              warm,
              measured,
              () -> GcsRewritePipeline.run(options, settings),
              events,
              complete.and(a -> warmIds.contains(key.apply(a))),
              complete.and(a -> measuredIds.contains(key.apply(a))),
              key,
              o -> eventId(o, "complete"),
              rate,
              recording);
      try {
        // The last settlements' announcements are recorded in Redis after their events went out:
        // wait until the pipeline's Redis traffic stops before taking Redis's counters.
        awaitQuiet(run.result, "redisRoundTrips", Duration.ofSeconds(2), Duration.ofSeconds(60));
        RedisStats.Delta redisDelta =
            RedisStats.between(run.redisBefore, RedisStats.read(redisReader));
        long roundTrips =
            MetricsReader.committed(run.result, "redisRoundTrips") - run.roundTripsBefore;
        long batches = MetricsReader.committed(run.result, "redisBatches") - run.batchesBefore;
        List<String> checks = new ArrayList<>();
        boolean ok = run.outputs == measured.size();
        checks.add(
            String.format(
                Locale.ROOT, "%,d of %,d distinct complete events", run.outputs, measured.size()));
        long skipped =
            events.arrivals().stream()
                .filter(a -> "skipped".equals(a.attribute("eventType")))
                .count();
        ok &= skipped == 0;
        checks.add(skipped + " skipped events");
        int goodOutputs = checkOutputs(measured);
        ok &= goodOutputs == measured.size();
        checks.add(
            String.format(
                Locale.ROOT,
                "%,d of %,d outputs equal their source with AWS -> GCP",
                goodOutputs,
                measured.size()));
        int processing = countProcessing(name + "-processing-watch", measured);
        ok &= processing == measured.size();
        checks.add(
            String.format(
                Locale.ROOT, "%,d of %,d distinct processing events", processing, measured.size()));
        int dead = pubsub.pull(name + "-dead-watch", 1000).size();
        ok &= dead == 0;
        checks.add(dead + " dead letters (warm-up included)");
        return run.measured(redisDelta, roundTrips, batches, checks, ok);
      } finally {
        run.stop();
      }
    }
  }

  private GcsRewriteOptions gcsRewriteOptions(String name) {
    // As LocalStack.pipelineOptions: the option set's first, then the stack's.
    List<String> args = new ArrayList<>(localOptions);
    args.add("--runner=DirectRunner");
    args.add("--project=" + PROJECT);
    args.add("--pubsubRootUrl=" + emulator.rootUrl());
    args.add("--credentialFactoryClass=" + EMULATOR_CREDENTIALS);
    args.add("--inputSubscription=" + pubsub.subscription(name + "-work-pipeline"));
    args.add("--bucketRoot=" + buckets);
    args.add("--workBuckets=" + BUCKET);
    args.add("--processedBucket=" + processed);
    args.add("--processingTopic=" + pubsub.topic(name + "-processing"));
    args.add("--completeTopic=" + pubsub.topic(name + "-complete"));
    args.add("--deadLetterTopic=" + pubsub.topic(name + "-dead"));
    args.add("--redisHost=127.0.0.1");
    args.add("--redisPort=" + redis.port());
    args.add("--jobName=gcs-rewrite-local");
    if (!Boolean.getBoolean("bench.beamDefaults")) {
      args.addAll(LocalRuns.SETTINGS);
    }
    GcsRewriteOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class);
    LocalRuns.prepare(options);
    return options;
  }

  private static String eventId(NotifiedObject object, String eventType) {
    return BUCKET + "/" + object.objectId() + "#" + object.generation() + ":" + eventType;
  }

  private int checkOutputs(List<NotifiedObject> objects) throws IOException {
    int good = 0;
    for (NotifiedObject object : objects) {
      Path output = processed.resolve(object.objectId() + ".processed");
      String expected =
          Files.readString(object.file(), StandardCharsets.US_ASCII).replace("AWS", "GCP");
      if (Files.exists(output)
          && Files.readString(output, StandardCharsets.US_ASCII).equals(expected)) {
        good++;
      }
    }
    return good;
  }

  /** Distinct processing events of {@code objects}; they may trail the complete events a little. */
  private int countProcessing(String subscription, List<NotifiedObject> objects)
      throws IOException, InterruptedException {
    Set<String> expected = keys(objects, o -> eventId(o, "processing"));
    Set<String> seen = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (seen.size() < expected.size() && System.nanoTime() < deadline) {
      List<PubsubMessage> pulled = pubsub.pull(subscription, 1000);
      for (PubsubMessage message : pulled) {
        String id = message.getAttribute("eventId");
        if (expected.contains(id)) {
          seen.add(id);
        }
      }
      if (pulled.isEmpty()) {
        Thread.sleep(200);
      }
    }
    return seen.size();
  }

  // --- one measured run ------------------------------------------------------------------------

  private interface Launch {
    PipelineResult run();
  }

  private Run measure(
      int round,
      String pipelineName,
      String inputTopic,
      List<NotifiedObject> warm,
      List<NotifiedObject> measured,
      Launch launch,
      TopicWatch outputs,
      Predicate<Arrival> warmOutput,
      Predicate<Arrival> measuredOutput,
      Function<Arrival, String> key,
      Function<NotifiedObject, String> keyOfObject,
      double rate,
      Path recording)
      throws Exception {
    System.gc();
    Run run = new Run(round, pipelineName, measured.size());
    run.loadStart = ProcessCpu.loadAverage();
    System.out.printf(
        Locale.ROOT,
        "round %d, %s: warm-up of %d objects (load average %s)...%n",
        round,
        pipelineName,
        warm.size(),
        run.loadStart);
    pubsub.publish(inputTopic, NotifiedObjects.notifications(warm));
    Instant launched = Instant.now();
    run.result = launch.run();
    int warmed = outputs.await(warmOutput, key, warm.size(), timeout);
    if (warmed < warm.size()) {
      run.stop();
      throw new IllegalStateException(
          pipelineName + ": " + warmed + " of " + warm.size() + " warm-up outputs in " + timeout);
    }
    Instant firstOutput =
        outputs.firstArrivals(warmOutput, key).values().stream().min(Instant::compareTo).get();
    run.launchToFirstOutput = seconds(launched, firstOutput);

    Recording profile = null;
    if (recording != null) {
      profile = new Recording(Configuration.getConfiguration("profile"));
      profile.start();
    }
    run.redisBefore = RedisStats.read(redisReader);
    run.roundTripsBefore = MetricsReader.committed(run.result, "redisRoundTrips");
    run.batchesBefore = MetricsReader.committed(run.result, "redisBatches");
    long ownBefore = ProcessCpu.ownNanos();
    long jitBefore = ProcessCpu.ownThreadsNanos(JIT_THREADS);
    long gcBefore = ProcessCpu.ownThreadsNanos(GC_THREADS);
    long emulatorBefore = ProcessCpu.nanos(emulator.pid());
    long redisBefore = ProcessCpu.nanos(redis.pid());
    HeapWatch heap = HeapWatch.start();
    Instant published = Instant.now();
    Map<String, Instant> sent = publish(inputTopic, measured, keyOfObject, rate);
    run.publishSeconds = seconds(published, Instant.now());
    run.outputs = outputs.await(measuredOutput, key, measured.size(), timeout);
    run.ownCpu = (ProcessCpu.ownNanos() - ownBefore) / 1e9;
    run.jitCpu = cpuSeconds(jitBefore, ProcessCpu.ownThreadsNanos(JIT_THREADS));
    run.gcCpu = cpuSeconds(gcBefore, ProcessCpu.ownThreadsNanos(GC_THREADS));
    run.emulatorCpu = cpuSeconds(emulatorBefore, ProcessCpu.nanos(emulator.pid()));
    run.redisCpu = cpuSeconds(redisBefore, ProcessCpu.nanos(redis.pid()));
    heap.close();
    if (profile != null) {
      profile.stop();
      profile.dump(recording);
      profile.close();
      System.out.println("  JFR recording of the measured window: " + recording);
    }
    run.loadEnd = ProcessCpu.loadAverage();
    Map<String, Instant> arrived = outputs.firstArrivals(measuredOutput, key);
    Instant lastOutput = arrived.values().stream().max(Instant::compareTo).orElse(Instant.now());
    sent.forEach(
        (object, at) -> {
          Instant out = arrived.get(object);
          if (out != null) {
            run.latencies.add(Duration.between(at, out).toMillis());
          }
        });
    run.seconds = seconds(published, lastOutput);
    run.peakHeap = heap.peakUsed();
    run.peakAfterGc = heap.peakAfterCollection();
    run.collections = heap.collections();
    run.collectionMillis = heap.collectionMillis();
    if (run.outputs < measured.size()) {
      problems.add(
          pipelineName
              + " round "
              + round
              + ": "
              + run.outputs
              + " of "
              + measured.size()
              + " outputs in "
              + timeout);
    }
    return run;
  }

  /**
   * Publishes {@code objects}' notifications: all at once when {@code rate} is 0, else at {@code
   * rate} a second, in ticks of {@link #TICK} (each tick publishes what is due by then). Returns
   * when each was sent, by its output's key: this JVM's clock, the emulator's too (one machine).
   */
  private Map<String, Instant> publish(
      String topic,
      List<NotifiedObject> objects,
      Function<NotifiedObject, String> keyOf,
      double rate)
      throws IOException, InterruptedException {
    Map<String, Instant> sent = new HashMap<>();
    List<PubsubMessage> messages = NotifiedObjects.notifications(objects);
    if (rate <= 0) {
      Instant now = Instant.now();
      pubsub.publish(topic, messages);
      objects.forEach(o -> sent.put(keyOf.apply(o), now));
      return sent;
    }
    long start = System.nanoTime();
    int next = 0;
    while (next < objects.size()) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      int due = (int) Math.min(objects.size(), Math.floor(elapsed * rate) + 1);
      if (due > next) {
        Instant now = Instant.now();
        pubsub.publish(topic, messages.subList(next, due));
        for (NotifiedObject object : objects.subList(next, due)) {
          sent.put(keyOf.apply(object), now);
        }
        next = due;
      }
      Thread.sleep(TICK.toMillis());
    }
    return sent;
  }

  /** Waits until counter {@code name} has not moved for {@code still}, at most {@code limit}. */
  private static void awaitQuiet(PipelineResult result, String name, Duration still, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long last = MetricsReader.attempted(result, name);
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(200);
      long now = MetricsReader.attempted(result, name);
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= still.toNanos()) {
        return;
      }
    }
  }

  /** A run's figures, and the latency of each of its objects (notification sent to output). */
  private record Measured(RunFigures figures, Latencies latencies) {}

  /** The state of one run, filled in as it goes. */
  private final class Run {
    final int round;
    final String pipeline;
    final int objects;
    PipelineResult result;
    String loadStart;
    String loadEnd;
    double launchToFirstOutput;
    double publishSeconds;
    double seconds;
    int outputs;
    double ownCpu;
    double emulatorCpu;
    double redisCpu;
    double jitCpu;
    double gcCpu;
    RedisStats redisBefore;
    long roundTripsBefore;
    long batchesBefore;
    long peakHeap;
    long peakAfterGc;
    long collections;
    long collectionMillis;
    final List<Long> latencies = new ArrayList<>();

    Run(int round, String pipeline, int objects) {
      this.round = round;
      this.pipeline = pipeline;
      this.objects = objects;
    }

    Measured measured(
        RedisStats.Delta redisDelta,
        long roundTrips,
        long batches,
        List<String> checks,
        boolean ok) {
      return new Measured(
          figures(redisDelta, roundTrips, batches, checks, ok), Latencies.of(latencies));
    }

    RunFigures figures(
        RedisStats.Delta redisDelta,
        long roundTrips,
        long batches,
        List<String> checks,
        boolean ok) {
      if (!ok) {
        problems.add(pipeline + " round " + round + ": " + String.join("; ", checks));
      }
      RunFigures figures =
          new RunFigures(
              round,
              pipeline,
              objects,
              publishSeconds,
              launchToFirstOutput,
              seconds,
              ownCpu,
              emulatorCpu,
              redisCpu,
              jitCpu,
              gcCpu,
              redisDelta,
              roundTrips,
              batches,
              peakHeap,
              peakAfterGc,
              collections,
              collectionMillis,
              loadStart,
              loadEnd,
              checks,
              ok);
      figures.print();
      return figures;
    }

    void stop() throws IOException {
      if (result != null) {
        try {
          result.cancel();
        } catch (IOException | RuntimeException e) {
          // stopping already
        }
        result.waitUntilFinish(org.joda.time.Duration.standardSeconds(60));
      }
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static <T> Set<String> keys(Collection<T> items, Function<T, String> key) {
    Set<String> keys = new HashSet<>();
    items.forEach(i -> keys.add(key.apply(i)));
    return keys;
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  private static double cpuSeconds(long before, long after) {
    return before < 0 || after < 0 ? Double.NaN : (after - before) / 1e9;
  }

  /**
   * pipeline-options/local.conf (or {@code $PIPELINE_OPTIONS_DIR/local.conf}) as {@code
   * --name=value} arguments, as {@code scripts/run-local.sh} passes them. The output check knows
   * the rules {@code AWS=GCP} only, so other rules stop the benchmark.
   */
  private static List<String> localConf() throws IOException {
    String dir = System.getenv().getOrDefault("PIPELINE_OPTIONS_DIR", "pipeline-options");
    List<String> options = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(dir, "local.conf"), StandardCharsets.UTF_8)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (!trimmed.contains("=") || trimmed.contains("${")) {
        throw new IllegalStateException("local.conf: cannot use '" + line + "' here");
      }
      if (trimmed.startsWith("rewriteRules=") && !trimmed.equals("rewriteRules=AWS=GCP")) {
        throw new IllegalStateException("the output check knows rewriteRules=AWS=GCP only");
      }
      options.add("--" + trimmed);
    }
    return options;
  }

  /** Beam and the pipeline log to a file, dev.gcsrewrite at INFO, as the local stack does. */
  private static void logToFile(Path file) throws IOException {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    FileHandler handler = new FileHandler(file.toString(), true);
    handler.setFormatter(new SimpleFormatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.WARNING);
    Logger own = Logger.getLogger("dev.gcsrewrite");
    own.setLevel(Level.INFO);
    LOGGERS.add(root);
    LOGGERS.add(own);
  }
}
