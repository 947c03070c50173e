package dev.gcsrewrite.local;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import dev.gcsrewrite.cli.LocalRuns;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.local.notifier.LocalBucketNotifier;
import dev.gcsrewrite.local.notifier.StoredObject;
import dev.gcsrewrite.local.servers.ChildProcess;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import dev.gcsrewrite.local.servers.RedisServerProcess;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.GenerationState;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The whole workflow on one machine, as it runs on Google Cloud: the Pub/Sub emulator and a Redis
 * as child processes, folders as buckets, a notifier publishing what Cloud Storage would, the work
 * generator, and the real pipeline on the DirectRunner; with progress while it works and a summary
 * at the end. Everything it starts is stopped when it ends, by process ID, also on Ctrl-C.
 *
 * <p>Run through {@code scripts/run-local.sh}, which checks the prerequisites and builds the jar.
 */
public final class LocalStack implements AutoCloseable {
  /** The project every emulated Pub/Sub resource belongs to. */
  public static final String PROJECT = "local-project";

  static final String WORK_TOPIC = "work-notifications";
  static final String PROCESSING_TOPIC = "processing";
  static final String COMPLETE_TOPIC = "complete";
  static final String DEAD_LETTER_TOPIC = "dead-letters";
  static final String PIPELINE_SUBSCRIPTION = "work-notifications-pipeline";

  private static final DateTimeFormatter RUN_NAME =
      DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final LocalStackArgs args;
  private final PrintStream out;
  private final LocalStackLayout layout;
  private final String jobName;
  private final List<Component> started = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private @Nullable PipelineResult pipeline;
  private boolean closed;

  LocalStack(LocalStackArgs args, PrintStream out) {
    this.args = args;
    this.out = out;
    // A name of its own per run (unless the user gives one), so that a run recovering this one
    // can tell this run's claims from its own streaming job's and take them over.
    this.jobName =
        args.pipelineOption("jobName")
            .orElse("gcs-rewrite-local-" + RUN_NAME.format(Instant.now()));
    this.layout = new LocalStackLayout(args.workDir(), args.bucket());
  }

  public static void main(String[] argv) {
    if (List.of(argv).contains("--help")) {
      System.out.println(LocalStackArgs.USAGE);
      return;
    }
    LocalStackArgs args;
    try {
      args = LocalStackArgs.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("run-local: " + e.getMessage());
      System.err.println(LocalStackArgs.USAGE);
      System.exit(2);
      return;
    }
    LocalStack stack = new LocalStack(args, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-stop"));
    int status;
    try {
      status = stack.run();
    } catch (StartupException e) {
      System.err.println("run-local: " + e.getMessage());
      status = 2;
    } catch (Exception e) {
      System.err.println("run-local: failed: " + e);
      status = 1;
    } finally {
      stack.close();
    }
    System.exit(status);
  }

  /** Runs the stack; returns the exit status (0: all work done and checked). */
  int run() throws Exception {
    checkPorts();
    LocalStackLayout.Start start = layout.prepare(args.fresh(), jobName);
    boolean recovering = start.recovering();
    redirectLogging();
    if (recovering) {
      out.printf(
          "recovering  the last run in %s did not finish: its buckets, outputs and Redis are kept,"
              + " and reconcile settles every file found (--fresh starts over)%n",
          args.workDir());
    }
    LocalStackServers servers = startServers();
    PubsubAdmin pubsub = servers.pubsub();
    createTopics(pubsub);
    List<String> pipelineArgs = pipelineArgs(servers.emulator().rootUrl());
    GcsRewriteOptions options = pipelineOptions(pipelineArgs);
    // The settings the pipeline runs with, for the stack's own reading of Redis and outputs.
    JobSettings settings;
    try {
      settings = JobSettings.from(options);
    } catch (InvalidOptionException e) {
      throw new StartupException(e.getMessage());
    }
    String statusUrl = startServeStatus(settings.redis());
    pipeline = GcsRewritePipeline.run(options, settings);
    out.printf("pipeline    running on the DirectRunner (log: %s)%n", layout.pipelineLog());

    LocalBucketNotifier.Builder notifierSettings =
        LocalBucketNotifier.builder(
                layout.buckets(), messages -> pubsub.publish(WORK_TOPIC, messages))
            .duplicates(args.duplicates());
    if (recovering) {
      // What the killed run left is settled by reconcile, which asks Redis, not announced here.
      notifierSettings.adoptPresentFiles();
    }
    LocalBucketNotifier notifier = notifierSettings.build();
    Set<String> announcedBefore = Set.of();
    if (recovering) {
      // Two scans: a file is taken once it is stable.
      notifier.scanOnce();
      notifier.scanOnce();
      announcedBefore = announced(settings.redis(), notifier.adopted());
    }
    notifier.start();
    started.add(new Component("the notifier", notifier));
    out.printf(
        "notifier    watching %s (each notification published %d time%s)%n",
        layout.buckets(), args.duplicates(), args.duplicates() == 1 ? "" : "s");
    if (recovering) {
      reconcile(
          pipelineArgs, start.previousJob(), notifier.adopted().size(), announcedBefore.size());
    }

    if (args.badMessages() > 0) {
      pubsub.publish(WORK_TOPIC, BadMessages.make(args.badMessages(), args.bucket()));
      out.printf("bad input   %d malformed messages published%n", args.badMessages());
    }
    List<WorkGenerator.WorkObject> files =
        recovering
            ? WorkGenerator.writeMissing(layout.workBucket(), args.files(), 42L)
            : WorkGenerator.write(layout.workBucket(), args.files(), 42L);
    long written = files.stream().filter(WorkGenerator.WorkObject::written).count();
    out.printf(
        "generator   wrote %d files to %s%s%n%n",
        written,
        layout.workBucket(),
        written == files.size() ? "" : " (the other " + (files.size() - written) + " were there)");

    // The files whose complete event this run must see: all, but those a killed run announced.
    Set<String> expected = new TreeSet<>();
    for (WorkGenerator.WorkObject file : files) {
      if (file.written() || !announcedBefore.contains(file.name())) {
        expected.add(file.name());
      }
    }
    ProgressMonitor monitor =
        new ProgressMonitor(pipeline, pubsub, notifier, expected, args.badMessages(), out);
    int status = 0;
    if (args.untilIdle()) {
      boolean idle = monitor.awaitIdle(Duration.ofMinutes(10));
      LocalRunSummary summary =
          LocalRunSummary.of(
              layout, monitor, files, expected, customRules(), settings.locations().outputSuffix());
      summary.print(out);
      status = idle && summary.ok() ? 0 : 1;
      if (!args.keep()) {
        if (status == 0) {
          layout.finished();
        }
        return status;
      }
    }
    printHowToReach(servers, settings.redis().keyPrefix(), statusUrl);
    monitor.followUntil(stopped);
    return status;
  }

  /**
   * The names of the {@code adopted} generations whose settled record says their complete event was
   * published: the killed run finished them, and this run must not see their events again.
   */
  private static Set<String> announced(RedisSettings redis, List<StoredObject> adopted)
      throws StartupException {
    List<GenerationState.Generation> asked = new ArrayList<>();
    for (StoredObject object : adopted) {
      asked.add(
          new GenerationState.Generation(object.bucket(), object.name(), object.generation()));
    }
    Set<String> announced = new HashSet<>();
    try (ClaimStore store = ClaimStore.forCommand(redis)) {
      List<GenerationState> found = store.states(asked);
      for (int i = 0; i < asked.size(); i++) {
        if (found.get(i).announced()) {
          announced.add(asked.get(i).objectId());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new StartupException("cannot read what the last run settled from Redis: " + e);
    }
    return announced;
  }

  /**
   * Settles every file the last run left, with the reconcile command a user would run: what was
   * done is dropped by its claim, what was announced is not announced again, the rest is processed.
   */
  private void reconcile(
      List<String> pipelineArgs, @Nullable String previousJob, int found, int announced)
      throws StartupException {
    out.printf(
        "reconcile   %d files found, %d of them done and announced by the last run%n",
        found, announced);
    List<String> command = new ArrayList<>(List.of("reconcile", "--bucket=" + args.bucket()));
    if (previousJob != null && !previousJob.equals(jobName)) {
      // That run is dead (its process is gone): its claims need not be waited out.
      out.printf("reconcile   taking over the claims of the last run's job, %s%n", previousJob);
      command.add("--stopped-job=" + previousJob);
    }
    command.addAll(pipelineArgs);
    PrintStream indented = IndentedLines.of(out, "reconcile   ");
    ExitCode code = GcsRewriteCli.execute(command, indented, indented);
    indented.close();
    if (code != ExitCode.OK) {
      throw new StartupException(
          "reconcile could not settle the last run's files (exit "
              + code.status()
              + "); its log is "
              + layout.pipelineLog());
    }
    out.println();
  }

  /** Stops everything this stack started, newest first; safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopped.countDown();
    if (pipeline != null) {
      try {
        pipeline.cancel();
      } catch (IOException | RuntimeException e) {
        // The pipeline may be stopping already.
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = started.size() - 1; i >= 0; i--) {
      Component component = started.get(i);
      try {
        component.resource().close();
        names.add(component.name());
      } catch (Exception e) {
        System.err.println("run-local: could not stop " + component.name() + ": " + e);
      }
    }
    out.println("run-local: stopped the pipeline, " + String.join(", ", names));
  }

  /** Something the stack started and must stop, named for the user. */
  private record Component(String name, AutoCloseable resource) {}

  private void checkPorts() throws StartupException {
    if (!Ports.isFree(args.emulatorPort())) {
      throw new StartupException(
          "port "
              + args.emulatorPort()
              + " is taken (Pub/Sub emulator); free it or pass"
              + " --emulator-port");
    }
    if (!Ports.isFree(args.redisPort())) {
      throw new StartupException(
          "port " + args.redisPort() + " is taken (Redis); free it or pass --redis-port");
    }
    if (args.serveStatusPort() > 0 && !Ports.isFree(args.serveStatusPort())) {
      throw new StartupException(
          "port "
              + args.serveStatusPort()
              + " is taken (serve-status); free it or pass --serve-status=PORT");
    }
  }

  private LocalStackServers startServers() throws IOException, StartupException {
    Path emulatorJar;
    try {
      emulatorJar =
          args.emulatorJar() != null
              ? args.emulatorJar()
              : PubsubEmulatorProcess.findJar(layout.emulatorDir());
    } catch (IOException e) {
      throw new StartupException(e.getMessage());
    }
    PubsubEmulatorProcess emulator =
        PubsubEmulatorProcess.start(emulatorJar, layout.emulatorDir(), args.emulatorPort());
    started.add(new Component("the Pub/Sub emulator (pid " + emulator.pid() + ")", emulator));
    out.printf("emulator    %s (pid %d)%n", emulator.rootUrl(), emulator.pid());
    Path binary = RedisServerProcess.extractBinary(args.redisJar(), layout.redisDir());
    // Claims and settled records must outlive a killed run for the next one to recover it: an
    // append-only file, written at least every second (a machine crash may lose that second,
    // whose generations reconcile then processes again: the same outputs and event IDs).
    RedisServerProcess redis =
        RedisServerProcess.start(
            binary,
            layout.redisData(),
            args.redisPort(),
            List.of("appendonly yes", "appendfsync everysec"));
    started.add(new Component("Redis (pid " + redis.pid() + ")", redis));
    out.printf("redis       127.0.0.1:%d (pid %d)%n", redis.port(), redis.pid());
    return new LocalStackServers(emulator, redis, new PubsubAdmin(emulator.rootUrl(), PROJECT));
  }

  /**
   * Starts serve-status on loopback against the stack's Redis and key prefix, as a process of its
   * own (the jar's command, as on Cloud Run), stopped by its process ID with the rest; returns its
   * URL, or null without {@code --serve-status}.
   */
  private @Nullable String startServeStatus(RedisSettings redis) throws IOException {
    if (args.serveStatusPort() < 0) {
      return null;
    }
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classPath(),
            GcsRewriteCli.class.getName(),
            "serve-status",
            "--bind=127.0.0.1",
            "--port=" + args.serveStatusPort(),
            "--redisHost=" + redis.host(),
            "--redisPort=" + redis.port(),
            "--keyPrefix=" + redis.keyPrefix());
    Path log = layout.pipelineLog().resolveSibling("serve-status.log");
    ChildProcess server = ChildProcess.start("serve-status", command, args.workDir(), log);
    started.add(new Component("serve-status (pid " + server.pid() + ")", server));
    server.awaitListening(args.serveStatusPort(), Duration.ofSeconds(60));
    String url = "http://127.0.0.1:" + args.serveStatusPort();
    out.printf("status      %s (pid %d, log: %s)%n", url, server.pid(), log);
    return url;
  }

  /** This JVM's class path, absolute: a child process runs in another directory. */
  private static String classPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(Path.of(entry).toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void createTopics(PubsubAdmin pubsub) throws IOException {
    for (String topic : List.of(WORK_TOPIC, PROCESSING_TOPIC, COMPLETE_TOPIC, DEAD_LETTER_TOPIC)) {
      pubsub.createTopic(topic);
    }
    pubsub.createSubscription(PIPELINE_SUBSCRIPTION, WORK_TOPIC, 60);
    for (String topic : List.of(PROCESSING_TOPIC, COMPLETE_TOPIC, DEAD_LETTER_TOPIC)) {
      pubsub.createSubscription(watch(topic), topic, 60);
    }
    // Read by `gcs-rewrite replay` alone: the stack's summary reads (and acknowledges) the watch.
    pubsub.createSubscription(DEAD_LETTER_TOPIC + "-replay", DEAD_LETTER_TOPIC, 60);
  }

  /** The subscription on which the stack (and a user) reads a topic's messages. */
  static String watch(String topic) {
    return topic + "-watch";
  }

  /**
   * Whether the rules differ from the default AWS=GCP, which the summary's check of the outputs
   * assumes.
   */
  private boolean customRules() {
    return args.pipelineOption("rewriteRulesFile").isPresent()
        || !args.pipelineOption("rewriteRules")
            .orElse(JobSettings.DEFAULT_RULES)
            .equals(JobSettings.DEFAULT_RULES);
  }

  /**
   * The pipeline's arguments: the user's (local.conf's, then the command line's), then the stack's.
   */
  private List<String> pipelineArgs(String pubsubRootUrl) {
    List<String> options = new ArrayList<>(args.pipelineArgs());
    addDefault(options, "runner", "DirectRunner");
    for (String setting : LocalRuns.SETTINGS) {
      addDefault(
          options,
          setting.substring(2, setting.indexOf('=')),
          setting.substring(setting.indexOf('=') + 1));
    }
    addDefault(options, "project", PROJECT);
    addDefault(options, "pubsubRootUrl", pubsubRootUrl);
    addDefault(
        options,
        "credentialFactoryClass",
        "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory");
    addDefault(options, "inputSubscription", subscriptionPath(PIPELINE_SUBSCRIPTION));
    addDefault(options, "bucketRoot", layout.buckets().toString());
    // The stack's one work bucket: a notification of any other is dead-lettered, as on Dataflow.
    addDefault(options, "workBuckets", args.bucket());
    addDefault(options, "processedBucket", layout.processed().toString());
    addDefault(options, "processingTopic", topicPath(PROCESSING_TOPIC));
    addDefault(options, "completeTopic", topicPath(COMPLETE_TOPIC));
    addDefault(options, "deadLetterTopic", topicPath(DEAD_LETTER_TOPIC));
    addDefault(options, "redisHost", "127.0.0.1");
    addDefault(options, "redisPort", Integer.toString(args.redisPort()));
    addDefault(options, "jobName", jobName);
    return options;
  }

  private static GcsRewriteOptions pipelineOptions(List<String> options) throws StartupException {
    try {
      GcsRewriteOptions pipelineOptions =
          PipelineOptionsFactory.fromArgs(options.toArray(new String[0]))
              .as(GcsRewriteOptions.class);
      LocalRuns.prepare(pipelineOptions);
      return pipelineOptions;
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage().split("\n", 2)[0]);
    }
  }

  private static void addDefault(List<String> options, String name, String value) {
    if (options.stream().noneMatch(o -> o.startsWith("--" + name + "="))) {
      options.add("--" + name + "=" + value);
    }
  }

  static String topicPath(String topic) {
    return "projects/" + PROJECT + "/topics/" + topic;
  }

  static String subscriptionPath(String subscription) {
    return "projects/" + PROJECT + "/subscriptions/" + subscription;
  }

  /** Beam and the pipeline log to a file; the console shows the stack's own lines. */
  private void redirectLogging() throws IOException {
    // Read once, when SimpleFormatter is first used: set before making one.
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    FileHandler file = new FileHandler(layout.pipelineLog().toString(), true);
    file.setFormatter(new SimpleFormatter());
    file.setLevel(Level.ALL);
    root.addHandler(file);
    root.setLevel(Level.WARNING);
    Logger.getLogger("dev.gcsrewrite").setLevel(Level.INFO);
  }

  private void printHowToReach(
      LocalStackServers servers, String keyPrefix, @Nullable String statusUrl) {
    String root = servers.emulator().rootUrl();
    out.println();
    out.println("The stack is running; Ctrl-C stops everything it started.");
    out.printf("  work bucket       %s  (add or overwrite files here)%n", layout.workBucket());
    out.printf("  processed bucket  %s%n", layout.processed());
    out.printf(
        "  Pub/Sub emulator  %s  (export PUBSUB_EMULATOR_HOST=127.0.0.1:%d)%n",
        root, servers.emulator().port());
    out.printf(
        "  audit events      curl -s -X POST -H 'Content-Type: application/json' -d '{\"maxMessages\":10}' %s/v1/%s:pull%n",
        root, subscriptionPath(watch(COMPLETE_TOPIC)));
    out.printf(
        "                    (also %s and %s)%n",
        watch(PROCESSING_TOPIC), watch(DEAD_LETTER_TOPIC));
    out.printf("  Redis             127.0.0.1:%d%n", servers.redis().port());
    out.printf(
        "  status            java -jar target/gcs-rewrite-bundled.jar status gs://%s/work001 --redisHost=127.0.0.1 --redisPort=%d%s%n",
        args.bucket(), servers.redis().port(), keyPrefixArgument(keyPrefix));
    if (statusUrl != null) {
      out.printf(
          "  status over HTTP  curl -s %s/v1/objects/%s/work001  (each '/' in a name as %%2F)%n",
          statusUrl, args.bucket());
    }
    out.printf("  pipeline log      %s%n%n", layout.pipelineLog());
  }

  /** The status command's --keyPrefix when the run set one, quoted for the shell if need be. */
  private String keyPrefixArgument(String keyPrefix) {
    if (args.pipelineOption("keyPrefix").isEmpty()) {
      return "";
    }
    String argument = "--keyPrefix=" + keyPrefix;
    return " "
        + (argument.matches("[-A-Za-z0-9_.:=/]+")
            ? argument
            : "'" + argument.replace("'", "'\\''") + "'");
  }

  /** A reason the stack cannot start, said in one line. */
  static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message) {
      super(message);
    }
  }
}
