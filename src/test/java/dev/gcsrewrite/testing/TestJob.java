package dev.gcsrewrite.testing;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * One test's job against the test servers, as a JUnit rule: a name, Redis keys and topics of its
 * own, the settings of a graph built in the test, and the records its claims leave.
 *
 * <ul>
 *   <li>{@link #name()} is the test method's name in lower-case letters and digits, and {@link
 *       #keyPrefix()} that name and a colon: the tests of a class share one Redis and one emulator
 *       and never see each other's keys or messages.
 *   <li>{@link #settings} are checked by the pipeline's own validation, for job {@value #JOB_NAME}
 *       on the test's buckets and Redis; {@link #graph} builds the whole graph after {@code
 *       ReadNotifications} with them, publishing nowhere: the test asserts on what it returns.
 *   <li>{@link #store()} makes claims beforehand, as an earlier run or another job would; {@link
 *       #record}, {@link #latest} and {@link #records()} read what the claims left.
 *   <li>With {@link #onEmulator}, the test's topics ({@code <name>-work}, {@code -processing},
 *       {@code -complete}, {@code -dead}) are created before it, each with a watch subscription;
 *       {@link #args}, {@link #publish}, {@link #pull} and {@link #awaitMessages} serve real
 *       pipelines reading them.
 * </ul>
 *
 * <pre>{@code
 * @ClassRule public static final LocalRedis REDIS = new LocalRedis();
 * @Rule public final transient LocalBuckets buckets = new LocalBuckets();
 * @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
 * @Rule public final transient TestPipeline pipeline = TestPipeline.create();
 *
 * GcsRewritePipeline.Outputs outputs = job.graph(pipeline, stream.advanceWatermarkToInfinity());
 * PAssert.that(outputs.deadLetters()).empty();
 * PipelineRuns.runToEnd(pipeline);
 * assertEquals("COMPLETED", job.record("work001", GEN1).get("state"));
 * }</pre>
 */
public final class TestJob implements TestRule {
  /** The job name of the graphs built with {@link #settings}. */
  public static final String JOB_NAME = "test-job";

  private final LocalRedis redis;
  private final @Nullable LocalBuckets buckets;
  private @Nullable PubsubEmulator pubsub;
  private List<String> readers = List.of();
  private String name = "";

  /** A job on {@code redis} and {@code buckets}. */
  public TestJob(LocalRedis redis, LocalBuckets buckets) {
    this.redis = redis;
    this.buckets = buckets;
  }

  /** A job on {@code redis} alone, for steps tested without buckets: no settings, no graph. */
  public TestJob(LocalRedis redis) {
    this.redis = redis;
    this.buckets = null;
  }

  /**
   * Gives the test topics on {@code pubsub}, and a subscription {@code <name>-work-<reader>} on the
   * work topic for each of {@code readers} (the jobs that will read it: {@code a}, {@code b}).
   */
  public TestJob onEmulator(PubsubEmulator pubsub, String... readers) {
    this.pubsub = pubsub;
    this.readers = List.of(readers);
    return this;
  }

  @Override
  public Statement apply(Statement base, Description description) {
    return new Statement() {
      @Override
      public void evaluate() throws Throwable {
        name = description.getMethodName().replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
        if (pubsub != null) {
          createTopics(pubsub);
        }
        base.evaluate();
      }
    };
  }

  private void createTopics(PubsubEmulator pubsub) {
    for (String topic : List.of("work", "processing", "complete", "dead")) {
      pubsub.createTopic(name + "-" + topic);
      pubsub.createSubscription(name + "-" + topic + "-watch", name + "-" + topic);
    }
    for (String reader : readers) {
      pubsub.createSubscription(name + "-work-" + reader, name + "-work");
    }
  }

  /** The test's name: lower-case letters and digits, usable in topic names. */
  public String name() {
    return name;
  }

  /** The prefix of the test's Redis keys. */
  public String keyPrefix() {
    return name + ":";
  }

  /** Settings for job {@value #JOB_NAME}; each {@code --name=value} option adds or replaces one. */
  public JobSettings settings(String... options) {
    return settings(buckets(), redis.port(), keyPrefix(), options);
  }

  /**
   * Settings for job {@value #JOB_NAME} on {@code buckets} and the Redis at {@code redisPort}, with
   * keys under {@code keyPrefix}, topics that are only names; each of {@code options} ({@code
   * --name=value}) is added, or replaces the default of that name.
   */
  public static JobSettings settings(
      LocalBuckets buckets, int redisPort, String keyPrefix, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--inputSubscription=projects/test-project/subscriptions/work",
                "--processedBucket=" + buckets.processed(),
                "--bucketRoot=" + buckets.bucketRoot(),
                "--processingTopic=projects/test-project/topics/processing",
                "--completeTopic=projects/test-project/topics/complete",
                "--deadLetterTopic=projects/test-project/topics/dead-letters",
                "--dedupeTtl=10m",
                "--jobName=" + JOB_NAME,
                "--redisHost=127.0.0.1",
                "--redisPort=" + redisPort,
                "--keyPrefix=" + keyPrefix));
    for (String option : options) {
      String optionName = option.substring(0, option.indexOf('=') + 1);
      args.removeIf(arg -> arg.startsWith(optionName));
      args.add(option);
    }
    return JobSettings.from(
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class));
  }

  /**
   * The whole graph after {@code ReadNotifications}, fed by {@code notifications}, with {@link
   * #settings} and {@code options}; what it would publish is returned, not published.
   */
  public GcsRewritePipeline.Outputs graph(
      Pipeline pipeline, TestStream<PubsubMessage> notifications, String... options) {
    return GcsRewritePipeline.buildPipeline(
        pipeline.apply("ReadNotifications", notifications),
        settings(options),
        new DiscardingTopics());
  }

  /** A claim store on the test's keys, for claims made beforehand; the caller closes it. */
  public ClaimStore store() throws IOException {
    // Another job's claims: no lease keeper of this JVM renews them.
    return ClaimStore.forCommand(redis.settings(keyPrefix()));
  }

  /** What the test's claims left in Redis. */
  public ClaimRecords records() {
    return new ClaimRecords(redis, keyPrefix());
  }

  /** The record of {@code generation} of {@code objectId} in {@link Notifications#BUCKET}. */
  public Map<String, String> record(String objectId, long generation) {
    return records().generation(Notifications.BUCKET, objectId, generation);
  }

  /** The newest completed generation of {@code objectId} in {@link Notifications#BUCKET}. */
  public @Nullable String latest(String objectId) {
    return records().latest(Notifications.BUCKET, objectId);
  }

  /**
   * Options for a real pipeline, job {@code job-<reader>}, reading {@code <name>-work-<reader>}.
   */
  public PipelineArgs args(String reader) {
    return PipelineArgs.of(emulator(), redis, buckets(), name).job(reader);
  }

  /** Publishes {@code messages} to the work topic; their message IDs. */
  public List<String> publish(List<PubsubMessage> messages) {
    return emulator().publish(name + "-work", messages);
  }

  /**
   * What has come on {@code topic} ({@code work}, {@code processing}, {@code complete}, {@code
   * dead}) since the last pull.
   */
  public List<PubsubMessage> pull(String topic) {
    return emulator().pull(name + "-" + topic + "-watch");
  }

  /** Pulls {@code topic} until at least {@code count} messages have come; all that came. */
  public List<PubsubMessage> awaitMessages(String topic, int count, Duration patience)
      throws InterruptedException {
    List<PubsubMessage> messages = new ArrayList<>();
    Eventually.await(
        count + " messages on " + name + "-" + topic,
        patience,
        () -> {
          messages.addAll(pull(topic));
          return messages.size() >= count;
        });
    return messages;
  }

  private LocalBuckets buckets() {
    if (buckets == null) {
      throw new IllegalStateException("this TestJob has no buckets");
    }
    return buckets;
  }

  private PubsubEmulator emulator() {
    if (pubsub == null) {
      throw new IllegalStateException("this TestJob has no emulator: see onEmulator()");
    }
    return pubsub;
  }
}
