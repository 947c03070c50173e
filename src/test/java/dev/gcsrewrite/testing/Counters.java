package dev.gcsrewrite.testing;

import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads the pipeline's counters from a finished test run. */
public final class Counters {
  private Counters() {}

  /** The committed value of counter {@code name}, summed over steps; 0 if it never counted. */
  public static long get(PipelineResult result, String name) {
    MetricQueryResults query =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(PipelineMetrics.NAMESPACE, name))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : query.getCounters()) {
      total += counter.getCommitted();
    }
    return total;
  }
}
