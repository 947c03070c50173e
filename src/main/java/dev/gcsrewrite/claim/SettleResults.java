package dev.gcsrewrite.claim;

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
 * What {@link CompleteClaims} settled, and the work it found left to do on outputs.
 *
 * @param outcomes how each generation ended, as Redis now records it: to announce
 * @param failures the dead letters
 * @param repairs objects (a notification of any of their generations) whose newest completed output
 *     must be written again, since a stale write may have landed over it
 * @param cleanups claims whose writer left an empty output where none was: to delete, then release
 *     their lock
 */
public record SettleResults(
    PCollection<Outcome> outcomes,
    PCollection<DeadLetter> failures,
    PCollection<GcsNotification> repairs,
    PCollection<Claim> cleanups)
    implements PInput, POutput {

  /** Applies {@code transform} to these results, as a named step. */
  public <OutputT extends POutput> OutputT apply(
      String name, PTransform<? super SettleResults, OutputT> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return outcomes.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(
        new TupleTag<>("outcomes"), outcomes,
        new TupleTag<>("failures"), failures,
        new TupleTag<>("repairs"), repairs,
        new TupleTag<>("cleanups"), cleanups);
  }

  @Override
  public void finishSpecifyingOutput(String name, PInput input, PTransform<?, ?> transform) {}
}
