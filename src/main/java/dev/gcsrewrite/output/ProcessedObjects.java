package dev.gcsrewrite.output;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.notification.GcsNotification;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link WriteProcessedObjects} produced: outputs whose final file is in place, generations
 * skipped because their source no longer exists, and dead letters for sources that can never be
 * read. It is also the input of the steps that announce those outcomes.
 */
public final class ProcessedObjects implements PInput, POutput {
  private static final TupleTag<WrittenObject> WRITTEN = new TupleTag<>("written") {};
  private static final TupleTag<GcsNotification> SOURCE_MISSING =
      new TupleTag<>("sourceMissing") {};

  private final Pipeline pipeline;
  private final PCollection<WrittenObject> written;
  private final PCollection<GcsNotification> sourceMissing;
  private final PCollection<DeadLetter> failures;

  ProcessedObjects(
      PCollection<WrittenObject> written,
      PCollection<GcsNotification> sourceMissing,
      PCollection<DeadLetter> failures) {
    this.pipeline = written.getPipeline();
    this.written = written;
    this.sourceMissing = sourceMissing;
    this.failures = failures;
  }

  /** Outputs in their final place, one per object generation written. */
  public PCollection<WrittenObject> written() {
    return written;
  }

  /** Generations whose source object was gone when it was looked for. */
  public PCollection<GcsNotification> sourceMissing() {
    return sourceMissing;
  }

  /** Sources that exist but can never be read. */
  public PCollection<DeadLetter> failures() {
    return failures;
  }

  /** Applies {@code transform} to these outcomes, as a named step. */
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
    return Map.of(WRITTEN, written, SOURCE_MISSING, sourceMissing, DeadLetter.TAG, failures);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
