package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.work.Claim;
import dev.gcsrewrite.work.Outcome;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link ClaimInRedis} decided: the generations this job now holds, those a newer completed
 * generation superseded (they end with a {@code skipped} outcome), and the dead letters of those
 * Redis could not decide.
 */
public final class ClaimResults implements POutput {
  private static final TupleTag<Claim> CLAIMED = new TupleTag<>("claimed") {};
  private static final TupleTag<Outcome> SUPERSEDED = new TupleTag<>("superseded") {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("failures") {};

  private final PCollection<Claim> claimed;
  private final PCollection<Outcome> superseded;
  private final PCollection<DeadLetter> failures;

  ClaimResults(
      PCollection<Claim> claimed,
      PCollection<Outcome> superseded,
      PCollection<DeadLetter> failures) {
    this.claimed = claimed;
    this.superseded = superseded;
    this.failures = failures;
  }

  /** Generations this job holds the claim on: the work goes on. */
  public PCollection<Claim> claimed() {
    return claimed;
  }

  /**
   * Outcomes to announce without any work: generations older than a completed one (skipped, with
   * reason {@code superseded}), and settled generations whose event was never published.
   */
  public PCollection<Outcome> toAnnounce() {
    return superseded;
  }

  /** Generations whose own Redis records are unusable. */
  public PCollection<DeadLetter> failures() {
    return failures;
  }

  @Override
  public Pipeline getPipeline() {
    return claimed.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(CLAIMED, claimed, SUPERSEDED, superseded, FAILURES, failures);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
