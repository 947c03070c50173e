package dev.gcsrewrite.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The one place that knows about local runs: pipelines that Beam's DirectRunner runs in this
 * process, where any other runner submits a job and returns. The graph is the same on every runner;
 * only how a command waits for the job, and how fast the local runner is set to go, differ.
 */
public final class LocalRuns {
  /**
   * The DirectRunner settings of the local stack, each unless the user gives another:
   *
   * <ul>
   *   <li>the immutability and encodability checks off: ~30% of a local run's CPU; the graph tests
   *       on {@code TestStream} keep both on, so that a step that breaks the model fails there;
   *   <li>six threads rather than three: many bundles wait on Redis, Pub/Sub or the disk.
   * </ul>
   */
  public static final List<String> SETTINGS =
      List.of(
          "--enforceImmutability=false", "--enforceEncodability=false", "--targetParallelism=6");

  private LocalRuns() {}

  /**
   * Whether {@code options} run the pipeline in this process, which then must be waited for ({@link
   * #await}); if so, makes {@code Pipeline.run()} return at once. A submitted job (Dataflow, a flex
   * template launch) is not waited for: its launcher returns once it is submitted.
   */
  public static boolean prepare(PipelineOptions options) {
    if (options.getRunner() != DirectRunner.class) {
      return false;
    }
    options.as(DirectOptions.class).setBlockOnRun(false);
    return true;
  }

  /**
   * Waits for a local run to end, calling {@code progress} every two seconds meanwhile.
   *
   * @return the final state, or null if the pipeline failed: then the whole trace (for the
   *     operator's log) and one last line saying what ended it are on {@code err}
   */
  static PipelineResult.@Nullable State await(
      PipelineResult result, String command, PrintStream err, Runnable progress) {
    try {
      while (!result.getState().isTerminal()) {
        result.waitUntilFinish(Duration.standardSeconds(2));
        progress.run();
      }
      return result.waitUntilFinish();
    } catch (PipelineExecutionException e) {
      e.printStackTrace(err);
      err.println(command + ": the pipeline failed: " + Command.firstLine(Command.rootCause(e)));
      return null;
    }
  }
}
