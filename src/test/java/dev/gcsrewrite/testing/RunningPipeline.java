package dev.gcsrewrite.testing;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.metrics.MetricsReader;
import java.io.IOException;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The real pipeline, built by {@code GcsRewritePipeline.run} from command-line options and running
 * on the DirectRunner in this JVM while the test goes on; closing it cancels it.
 */
public final class RunningPipeline implements AutoCloseable {
  private final PipelineResult result;

  private RunningPipeline(PipelineResult result) {
    this.result = result;
  }

  /** Starts the pipeline with {@code args}, exactly as the main class would take them. */
  public static RunningPipeline start(List<String> args) {
    GcsRewriteOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class);
    options.as(DirectOptions.class).setBlockOnRun(false);
    return new RunningPipeline(GcsRewritePipeline.run(options));
  }

  /** A counter's value so far (attempted: the pipeline is still running). */
  public long counter(String name) {
    return MetricsReader.attempted(result, name);
  }

  /** A distribution's value so far (attempted), merged over steps. */
  public DistributionResult distribution(String name) {
    return MetricsReader.attemptedDistribution(result, name);
  }

  /** Fails the calling test if the pipeline itself failed. */
  public void assertRunning() {
    PipelineResult.State state = result.getState();
    if (state == PipelineResult.State.FAILED) {
      result.waitUntilFinish();
    }
    if (state.isTerminal()) {
      throw new AssertionError("the pipeline stopped: " + state);
    }
  }

  @Override
  public void close() throws IOException {
    result.cancel();
  }
}
