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

/** What {@link ClaimInRedis} decided: the claims, the outcomes to announce, the dead letters. */
public final class ClaimResults implements POutput {
  private static final TupleTag<Claim> CLAIMED = new TupleTag<>("claimed") {};
  private static final TupleTag<Outcome> TO_ANNOUNCE = new TupleTag<>("superseded") {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("failures") {};

  private final PCollection<Claim> claimed;
  private final PCollection<Outcome> toAnnounce;
  private final PCollection<DeadLetter> failures;

  ClaimResults(
      PCollection<Claim> claimed,
      PCollection<Outcome> toAnnounce,
      PCollection<DeadLetter> failures) {
    this.claimed = claimed;
    this.toAnnounce = toAnnounce;
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
    return toAnnounce;
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
    return Map.of(CLAIMED, claimed, TO_ANNOUNCE, toAnnounce, FAILURES, failures);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
