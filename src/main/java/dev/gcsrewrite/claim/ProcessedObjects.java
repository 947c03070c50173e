package dev.gcsrewrite.claim;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What became of the generations given to {@code WriteProcessedObjects}: an {@link Outcome} for
 * each one that ended (output in place, or nothing to write), and a {@link FailedObject} for each
 * one that can never be processed. It is also the input of the step that settles them.
 */
public final class ProcessedObjects implements PInput, POutput {
  private static final TupleTag<Outcome> OUTCOMES = new TupleTag<>("outcomes") {};
  private static final TupleTag<FailedObject> FAILURES = new TupleTag<>("failures") {};

  private final Pipeline pipeline;
  private final PCollection<Outcome> outcomes;
  private final PCollection<FailedObject> failures;

  public ProcessedObjects(PCollection<Outcome> outcomes, PCollection<FailedObject> failures) {
    this.pipeline = outcomes.getPipeline();
    this.outcomes = outcomes;
    this.failures = failures;
  }

  /** Generations whose work ended: complete (output in place) or skipped. */
  public PCollection<Outcome> outcomes() {
    return outcomes;
  }

  /** Generations that can never be processed (e.g. a source that exists but cannot be read). */
  public PCollection<FailedObject> failures() {
    return failures;
  }

  /** Applies {@code transform} to these results, as a named step. */
  public <OutputT extends POutput> OutputT apply(
      String name, PTransform<? super ProcessedObjects, OutputT> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(OUTCOMES, outcomes, FAILURES, failures);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
