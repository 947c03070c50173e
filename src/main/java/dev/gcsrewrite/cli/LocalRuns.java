package dev.gcsrewrite.cli;

import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The one place that knows about local runs: pipelines that Beam's DirectRunner runs in this
 * process, where any other runner submits a job and returns. The graph is the same on every runner;
 * what differs is only how a command waits for the job and how fast the local runner is set to go.
 *
 * <ul>
 *   <li>{@link #prepare} tells the commands whether to wait for the job, and makes a local run's
 *       {@code Pipeline.run()} return at once so that the command can wait itself (printing
 *       progress, reporting a failure).
 *   <li>{@link #SETTINGS} are the local runner's settings the local stack passes.
 * </ul>
 */
public final class LocalRuns {
  /**
   * The DirectRunner settings of the local stack, each unless the user gives another value:
   *
   * <ul>
   *   <li>its model checks off (no element mutated, every element encoded and decoded again): they
   *       cost ~30% of a local run's CPU; the tests keep both on, so that a pipeline that breaks
   *       the model fails there;
   *   <li>six threads rather than the default three: many of a local run's bundles wait on Redis,
   *       Pub/Sub or the disk.
   * </ul>
   */
  public static final List<String> SETTINGS =
      List.of(
          "--enforceImmutability=false", "--enforceEncodability=false", "--targetParallelism=6");

  private LocalRuns() {}

  /**
   * Whether {@code options} run the pipeline in this process, which then lives only as long as the
   * process does and must be waited for; if so, sets them so that {@code Pipeline.run()} returns at
   * once. A submitted job (Dataflow, a flex template launch) must not be waited for: its launcher
   * returns once the job is submitted.
   */
  public static boolean prepare(PipelineOptions options) {
    if (options.getRunner() != DirectRunner.class) {
      return false;
    }
    options.as(DirectOptions.class).setBlockOnRun(false);
    return true;
  }
}
