package dev.gcsrewrite.metrics;

import java.util.function.ToLongFunction;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads the pipeline's metrics from a run in this JVM: local progress displays and tests. */
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

  /** A distribution's attempted value so far, merged over steps; count 0 if it never counted. */
  public static DistributionResult attemptedDistribution(PipelineResult result, String name) {
    DistributionResult merged = DistributionResult.IDENTITY_ELEMENT;
    for (MetricResult<DistributionResult> step :
        result.metrics().queryMetrics(filter(name)).getDistributions()) {
      DistributionResult d = step.getAttempted();
      merged =
          DistributionResult.create(
              merged.getSum() + d.getSum(),
              merged.getCount() + d.getCount(),
              Math.min(merged.getMin(), d.getMin()),
              Math.max(merged.getMax(), d.getMax()));
    }
    return merged;
  }

  private static MetricsFilter filter(String name) {
    return MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(PipelineMetrics.NAMESPACE, name))
        .build();
  }

  private static long sum(
      PipelineResult result, String name, ToLongFunction<MetricResult<Long>> value) {
    return StreamSupport.stream(
            result.metrics().queryMetrics(filter(name)).getCounters().spliterator(), false)
        .mapToLong(value)
        .sum();
  }
}
