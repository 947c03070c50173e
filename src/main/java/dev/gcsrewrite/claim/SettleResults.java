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
 * What {@link CompleteClaims} settled: each generation's outcome as Redis now records it, the dead
 * letters, and the work settling found left to do on outputs: objects whose newest completed output
 * must be written again (a stale write may have landed over it), and claims whose writer left an
 * empty output where none was (to delete before their lock is released).
 */
public final class SettleResults implements PInput, POutput {
  private static final TupleTag<Outcome> OUTCOMES = new TupleTag<>("outcomes") {};
  private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("failures") {};
  private static final TupleTag<GcsNotification> REPAIRS = new TupleTag<>("repairs") {};
  private static final TupleTag<Claim> CLEANUPS = new TupleTag<>("cleanups") {};

  private final PCollection<Outcome> outcomes;
  private final PCollection<DeadLetter> failures;
  private final PCollection<GcsNotification> repairs;
  private final PCollection<Claim> cleanups;

  SettleResults(
      PCollection<Outcome> outcomes,
      PCollection<DeadLetter> failures,
      PCollection<GcsNotification> repairs,
      PCollection<Claim> cleanups) {
    this.outcomes = outcomes;
    this.failures = failures;
    this.repairs = repairs;
    this.cleanups = cleanups;
  }

  /** How each generation ended, as settled: to announce. */
  public PCollection<Outcome> outcomes() {
    return outcomes;
  }

  public PCollection<DeadLetter> failures() {
    return failures;
  }

  /** Objects (a notification of any of their generations) whose output must be written again. */
  public PCollection<GcsNotification> repairs() {
    return repairs;
  }

  /** Claims whose empty output must be removed, and then their lock released. */
  public PCollection<Claim> cleanups() {
    return cleanups;
  }

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
    return Map.of(OUTCOMES, outcomes, FAILURES, failures, REPAIRS, repairs, CLEANUPS, cleanups);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
