package dev.gcsrewrite.metrics;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads the pipeline's counters from a run in this JVM: local progress displays and tests. */
public final class MetricsReader {
  private MetricsReader() {}

  /** A counter's attempted value so far, summed over steps; 0 if it never counted. */
  public static long attempted(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter : query(result, name)) {
      total += counter.getAttempted();
    }
    return total;
  }

  /** A counter's committed value, summed over steps; 0 if it never counted. */
  public static long committed(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter : query(result, name)) {
      total += counter.getCommitted();
    }
    return total;
  }

  private static Iterable<MetricResult<Long>> query(PipelineResult result, String name) {
    return result
        .metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(PipelineMetrics.NAMESPACE, name))
                .build())
        .getCounters();
  }
}
