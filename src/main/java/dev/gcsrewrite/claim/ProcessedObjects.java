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
 * What became of the generations given to {@code WriteProcessedObjects}, and what {@link
 * CompleteClaims} settles.
 *
 * @param outcomes generations whose work ended: complete (output in place) or skipped
 * @param failures generations that can never be processed (a source that cannot be read)
 */
public record ProcessedObjects(PCollection<Outcome> outcomes, PCollection<FailedObject> failures)
    implements PInput, POutput {

  /** Applies {@code transform} to these results, as a named step. */
  public <OutputT extends POutput> OutputT apply(
      String name, PTransform<? super ProcessedObjects, OutputT> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return outcomes.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(new TupleTag<>("outcomes"), outcomes, new TupleTag<>("failures"), failures);
  }

  @Override
  public void finishSpecifyingOutput(String name, PInput input, PTransform<?, ?> transform) {}
}
