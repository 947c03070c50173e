package dev.gcsrewrite.testing;

import dev.gcsrewrite.metrics.MetricsReader;
import dev.gcsrewrite.metrics.PipelineMetrics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metric;

/** Reads the pipeline's counters from a finished test run, and names those it declares. */
public final class Counters {
  private Counters() {}

  /** The committed value of counter {@code name}, summed over steps; 0 if it never counted. */
  public static long get(PipelineResult result, String name) {
    return MetricsReader.committed(result, name);
  }

  /**
   * The name of every counter constant of {@link PipelineMetrics}: what a dashboard or an alert
   * outside the code (templates/monitoring/) may name, so that a counter renamed or removed fails a
   * test instead of leaving a chart empty and an alert silent. The families made at run time
   * ({@code deadLettered.<step>}, {@code auditEvents.<eventType>}) are not among them.
   */
  public static Set<String> declared() {
    return declaredOf(Counter.class);
  }

  /**
   * The name of every distribution constant of {@link PipelineMetrics}. Dataflow exports each
   * distribution to Cloud Monitoring as the counters {@code <name>_SUM}, {@code _COUNT}, {@code
   * _MIN}, {@code _MAX} and {@code _MEAN}, which is how a dashboard names it.
   */
  public static Set<String> declaredDistributions() {
    return declaredOf(Distribution.class);
  }

  private static Set<String> declaredOf(Class<? extends Metric> kind) {
    Set<String> names = new TreeSet<>();
    for (Field field : PipelineMetrics.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == kind) {
        try {
          names.add(((Metric) field.get(null)).getName().getName());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("a public metric of PipelineMetrics: " + field, e);
        }
      }
    }
    return names;
  }
}
