package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link ClaimInRedis} decided.
 *
 * @param claimed generations this job holds the claim on: the work goes on
 * @param toAnnounce outcomes to announce without any work: generations older than a completed one
 *     (skipped, {@code superseded}), and settled generations whose event was never published
 * @param failures generations whose own Redis records are unusable
 */
public record ClaimResults(
    PCollection<Claim> claimed, PCollection<Outcome> toAnnounce, PCollection<DeadLetter> failures)
    implements POutput {

  @Override
  public Pipeline getPipeline() {
    return claimed.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(
        new TupleTag<>("claimed"), claimed,
        new TupleTag<>("superseded"), toAnnounce,
        new TupleTag<>("failures"), failures);
  }

  @Override
  public void finishSpecifyingOutput(String name, PInput input, PTransform<?, ?> transform) {}
}
