package dev.gcsrewrite.runner;

import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.PTransformOverrideFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.util.construction.PTransformReplacements;
import org.apache.beam.sdk.util.construction.ReplacementOutputs;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Adapts a pipeline's graph to the DirectRunner, which runs it in one process: every {@link
 * Reshuffle} (FileIO's finalize has three) becomes a step that passes its bundle on whole.
 *
 * <p>A {@code Reshuffle} means nothing to what a pipeline computes; it is there for a distributed
 * runner, which checkpoints its input (so that a retried step sees the same elements) and spreads
 * them over workers. The DirectRunner does neither: it never retries a bundle (a failing bundle
 * fails the run), and it has one process to spread work over. What it does do is run a {@code
 * GroupByKey} on a random key per element, then a bundle per key for every step after it, so one
 * {@code Reshuffle} inside FileIO turns every later step into one bundle per object, and the
 * runner's cost is per bundle. Dataflow's graph is not touched: this applies only when the
 * pipeline's runner is the DirectRunner, after the graph is built and before it runs.
 */
public final class DirectRunnerGraph {
  private DirectRunnerGraph() {}

  /** Whether {@code pipeline} will run on the DirectRunner (or a runner derived from it). */
  public static boolean runsOnDirectRunner(Pipeline pipeline) {
    return DirectRunner.class.isAssignableFrom(pipeline.getOptions().getRunner());
  }

  /**
   * Replaces each {@code Reshuffle} of {@code pipeline} with a pass-through when it runs on the
   * DirectRunner; returns how many were replaced (none on any other runner).
   */
  public static int adapt(Pipeline pipeline) {
    if (!runsOnDirectRunner(pipeline)) {
      return 0;
    }
    int[] replaced = {0};
    pipeline.replaceAll(
        List.of(
            PTransformOverride.of(
                application -> {
                  boolean reshuffle = application.getTransform() instanceof Reshuffle;
                  if (reshuffle) {
                    replaced[0]++;
                  }
                  return reshuffle;
                },
                new PassThroughFactory<>())));
    return replaced[0];
  }

  /** Makes the pass-through that stands in for a {@code Reshuffle}. */
  private static final class PassThroughFactory<K, V>
      implements PTransformOverrideFactory<
          PCollection<KV<K, V>>, PCollection<KV<K, V>>, Reshuffle<K, V>> {
    @Override
    public PTransformReplacement<PCollection<KV<K, V>>, PCollection<KV<K, V>>>
        getReplacementTransform(
            AppliedPTransform<PCollection<KV<K, V>>, PCollection<KV<K, V>>, Reshuffle<K, V>>
                transform) {
      return PTransformReplacement.of(
          PTransformReplacements.getSingletonMainInput(transform), new PassThrough<>());
    }

    @Override
    public Map<PCollection<?>, ReplacementOutput> mapOutputs(
        Map<TupleTag<?>, PCollection<?>> outputs, PCollection<KV<K, V>> newOutput) {
      return ReplacementOutputs.singleton(outputs, newOutput);
    }
  }

  /** Every element on, in its bundle, with its window, timestamp and pane. */
  static final class PassThrough<T> extends PTransform<PCollection<T>, PCollection<T>> {
    @Override
    public PCollection<T> expand(PCollection<T> input) {
      return input.apply("PassThrough", ParDo.of(new PassFn<T>())).setCoder(input.getCoder());
    }
  }

  private static final class PassFn<T> extends DoFn<T, T> {
    @ProcessElement
    public void process(ProcessContext context) {
      context.output(context.element());
    }
  }
}
