package dev.gcsrewrite.metrics;

import java.util.function.ToLongFunction;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads the pipeline's counters from a run in this JVM: local progress displays and tests. */
public final class MetricsReader {
  private MetricsReader() {}

  /** A counter's attempted value so far, summed over steps; 0 if it never counted. */
  public static long attempted(PipelineResult result, String name) {
    return sum(result, name, MetricResult::getAttempted);
  }

  /** A counter's committed value, summed over steps; 0 if it never counted. */
  public static long committed(PipelineResult result, String name) {
    return sum(result, name, MetricResult::getCommitted);
  }

  private static long sum(
      PipelineResult result, String name, ToLongFunction<MetricResult<Long>> value) {
    MetricsFilter filter =
        MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(PipelineMetrics.NAMESPACE, name))
            .build();
    return StreamSupport.stream(
            result.metrics().queryMetrics(filter).getCounters().spliterator(), false)
        .mapToLong(value)
        .sum();
  }
}
