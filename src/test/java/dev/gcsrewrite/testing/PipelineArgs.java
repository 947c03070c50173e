package dev.gcsrewrite.testing;

import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options for a real pipeline run against the test servers: the emulator's topics and
 * subscription of one test, the local buckets, the test's Redis key prefix.
 */
public final class PipelineArgs {
  private final PubsubEmulator pubsub;
  private final LocalRedis redis;
  private final LocalBuckets buckets;
  private final String name;
  private String job = "a";
  private String subscriptionJob;
  private Path processed;
  private final List<String> extra = new ArrayList<>();

  private PipelineArgs(PubsubEmulator pubsub, LocalRedis redis, LocalBuckets buckets, String name) {
    this.pubsub = pubsub;
    this.redis = redis;
    this.buckets = buckets;
    this.name = name;
    this.processed = buckets.processed();
  }

  /**
   * Options for test {@code name}: it reads {@code <name>-work-<job>} and publishes to {@code
   * <name>-processing}, {@code <name>-complete} and {@code <name>-dead}, with Redis keys under
   * {@code <name>:}.
   */
  static PipelineArgs of(
      PubsubEmulator pubsub, LocalRedis redis, LocalBuckets buckets, String name) {
    return new PipelineArgs(pubsub, redis, buckets, name);
  }

  /** The job's name suffix: the job is {@code job-<job>} and reads {@code <name>-work-<job>}. */
  public PipelineArgs job(String job) {
    this.job = job;
    return this;
  }

  /** Reads {@code <name>-work-<job>} instead of the job's own subscription (a relaunch). */
  public PipelineArgs readingAs(String job) {
    this.subscriptionJob = job;
    return this;
  }

  public PipelineArgs processed(Path processed) {
    this.processed = processed;
    return this;
  }

  /** Any other option, e.g. {@code --claimLease=5s}. */
  public PipelineArgs with(String option) {
    extra.add(option);
    return this;
  }

  public List<String> build() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=DirectRunner",
                // As the local stack runs (LocalRuns.SETTINGS): the model checks cost ~30% of a
                // running pipeline's CPU, and the graph tests on TestStream keep them on.
                "--enforceImmutability=false",
                "--enforceEncodability=false",
                "--project=" + PubsubEmulator.PROJECT,
                "--pubsubRootUrl=" + pubsub.rootUrl(),
                "--credentialFactoryClass="
                    + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
                "--inputSubscription="
                    + PubsubEmulator.subscription(
                        name + "-work-" + (subscriptionJob == null ? job : subscriptionJob)),
                "--bucketRoot=" + buckets.bucketRoot(),
                "--processedBucket=" + processed,
                "--processingTopic=" + PubsubEmulator.topic(name + "-processing"),
                "--completeTopic=" + PubsubEmulator.topic(name + "-complete"),
                "--deadLetterTopic=" + PubsubEmulator.topic(name + "-dead"),
                "--redisHost=127.0.0.1",
                "--redisPort=" + redis.port(),
                "--keyPrefix=" + name + ":",
                "--jobName=job-" + job));
    args.addAll(extra);
    return args;
  }
}
