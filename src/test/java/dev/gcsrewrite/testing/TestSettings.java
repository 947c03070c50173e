package dev.gcsrewrite.testing;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Settings for a graph built in a test, checked by the pipeline's own validation: local folders as
 * buckets, a Redis on loopback, topics that are only names (tests observe what would be published).
 */
public final class TestSettings {
  private TestSettings() {}

  /**
   * Settings for job {@code job} on {@code buckets} and the Redis at {@code redisPort}, with keys
   * under {@code keyPrefix}; each of {@code options} ({@code --name=value}) is added, or replaces
   * the default of that name.
   */
  public static JobSettings local(
      LocalBuckets buckets, int redisPort, String job, String keyPrefix, String... options) {
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
                "--jobName=" + job,
                "--redisHost=127.0.0.1",
                "--redisPort=" + redisPort,
                "--keyPrefix=" + keyPrefix));
    for (String option : options) {
      String name = option.substring(0, option.indexOf('=') + 1);
      args.removeIf(arg -> arg.startsWith(name));
      args.add(option);
    }
    return JobSettings.from(
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class));
  }
}
