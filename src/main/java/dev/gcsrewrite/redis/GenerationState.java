package dev.gcsrewrite.redis;

import java.util.List;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What Redis records about a generation, as a run would find it: the reply of {@link
 * ClaimStore#states}, for the reconcile command's dry run.
 *
 * @param detail the owner (in flight), the output (completed) or the reason (skipped); else ""
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

  /** The fields of a generation's record that {@link #of} reads, in this order. */
  static final String[] FIELDS = {"state", "owner", "outputUri", "reason", "announced"};

  /** Reads a generation's {@link #FIELDS} and its object's latest completed generation. */
  static GenerationState of(long generation, List<String> record, @Nullable String latest) {
    boolean announced = !Objects.toString(record.get(4), "").isEmpty();
    return switch (String.valueOf(record.get(0))) {
      case "COMPLETED" -> new GenerationState(State.COMPLETED, text(record, 2), announced);
      case "SKIPPED" -> new GenerationState(State.SKIPPED, text(record, 3), announced);
      case "INPROGRESS" -> new GenerationState(State.IN_FLIGHT, text(record, 1), false);
      default ->
          latest != null && latest.matches("[0-9]{1,19}") && Long.parseLong(latest) > generation
              ? new GenerationState(State.SKIPPED, "superseded by generation " + latest, false)
              : new GenerationState(State.UNCLAIMED, "", false);
    };
  }

  private static String text(List<String> record, int field) {
    return Objects.toString(record.get(field), "");
  }
}
