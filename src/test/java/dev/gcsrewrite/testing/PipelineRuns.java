package dev.gcsrewrite.testing;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * Runs a graph a test built on its {@code TestPipeline} to the end, so that the files, Redis
 * records and counters it leaves can be checked: the tests of whole graphs all wait the same way.
 */
public final class PipelineRuns {
  private PipelineRuns() {}

  /** Runs {@code pipeline} and waits until it has finished (its PAsserts checked); its result. */
  public static PipelineResult runToEnd(Pipeline pipeline) {
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }
}
