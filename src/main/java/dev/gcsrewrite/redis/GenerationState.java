package dev.gcsrewrite.redis;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What Redis records about a generation, from the point of view of a run that would process it: the
 * reply of {@link ClaimStore#states}, for the reconcile command's dry run, which must say what a
 * run would do before it claims anything.
 *
 * @param state the state
 * @param detail the owner (in flight), the output (completed) or the reason (skipped); empty when
 *     unclaimed
 * @param announced whether its settled record says its audit event was published
 */
public record GenerationState(State state, String detail, boolean announced) {
  /** The states a run tells apart. */
  public enum State {
    /** Nothing recorded: a run would claim and process it. */
    UNCLAIMED,
    /** Claimed and not settled (a lease, live or ended): a run would wait or take it over. */
    IN_FLIGHT,
    /** Settled with an output. */
    COMPLETED,
    /** Settled without one (gone, changed, superseded), or a newer generation is completed. */
    SKIPPED
  }

  /** A generation to look up. */
  public record Generation(String bucket, String objectId, long generation) {}

  /**
   * Reads {@code record} (the generation's state, owner, outputUri, reason and announced fields)
   * and {@code latest} (the object's latest completed generation).
   */
  static GenerationState of(long generation, List<String> record, @Nullable String latest) {
    String state = record.get(0);
    boolean announced = record.get(4) != null && !record.get(4).isEmpty();
    if ("COMPLETED".equals(state)) {
      return new GenerationState(State.COMPLETED, orEmpty(record.get(2)), announced);
    }
    if ("SKIPPED".equals(state)) {
      return new GenerationState(State.SKIPPED, orEmpty(record.get(3)), announced);
    }
    if ("INPROGRESS".equals(state)) {
      return new GenerationState(State.IN_FLIGHT, orEmpty(record.get(1)), false);
    }
    if (latest != null && latest.matches("[0-9]{1,19}") && Long.parseLong(latest) > generation) {
      return new GenerationState(State.SKIPPED, "superseded by generation " + latest, false);
    }
    return new GenerationState(State.UNCLAIMED, "", false);
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }
}
