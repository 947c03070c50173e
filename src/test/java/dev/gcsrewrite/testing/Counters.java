package dev.gcsrewrite.testing;

import dev.gcsrewrite.metrics.MetricsReader;
import org.apache.beam.sdk.PipelineResult;

/** Reads the pipeline's counters from a finished test run. */
public final class Counters {
  private Counters() {}

  /** The committed value of counter {@code name}, summed over steps; 0 if it never counted. */
  public static long get(PipelineResult result, String name) {
    return MetricsReader.committed(result, name);
  }
}
