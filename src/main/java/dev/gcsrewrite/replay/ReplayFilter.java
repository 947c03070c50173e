package dev.gcsrewrite.replay;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Which dead letters a replay takes: by reason ({@code errorType}), by step ({@code errorStage})
 * and by when the step gave up ({@code failedAt}, from {@code failedAfter} inclusive to {@code
 * failedBefore} exclusive). An empty set or a null bound does not filter.
 *
 * <p>It reads only the dead letter's own attributes, which both dead-letter forms carry, so a dead
 * letter whose original cannot be recovered is still sorted by reason.
 *
 * @param errorTypes the reasons to take, or empty for any
 * @param errorStages the steps to take, or empty for any
 * @param failedAfter the earliest failure time taken (inclusive), or null
 * @param failedBefore the first failure time no longer taken (exclusive), or null
 */
public record ReplayFilter(
    Set<String> errorTypes,
    Set<String> errorStages,
    @Nullable Instant failedAfter,
    @Nullable Instant failedBefore) {

  /** Takes every dead letter. */
  public static final ReplayFilter ALL = new ReplayFilter(Set.of(), Set.of(), null, null);

  public ReplayFilter {
    errorTypes = Set.copyOf(errorTypes);
    errorStages = Set.copyOf(errorStages);
  }

  /** Whether a dead letter with these attributes is to be replayed. */
  public boolean matches(Map<String, String> attributes) {
    if (!errorTypes.isEmpty()
        && !errorTypes.contains(attributes.get(DeadLetterMessages.ERROR_TYPE))) {
      return false;
    }
    if (!errorStages.isEmpty()
        && !errorStages.contains(attributes.get(DeadLetterMessages.ERROR_STAGE))) {
      return false;
    }
    if (failedAfter == null && failedBefore == null) {
      return true;
    }
    Instant failedAt = failedAt(attributes);
    if (failedAt == null) {
      return false;
    }
    return (failedAfter == null || !failedAt.isBefore(failedAfter))
        && (failedBefore == null || failedAt.isBefore(failedBefore));
  }

  /** The filter in words, for the command's first line. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!errorTypes.isEmpty()) {
      parts.add("errorType in " + sorted(errorTypes));
    }
    if (!errorStages.isEmpty()) {
      parts.add("errorStage in " + sorted(errorStages));
    }
    if (failedAfter != null) {
      parts.add("failed at or after " + failedAfter);
    }
    if (failedBefore != null) {
      parts.add("failed before " + failedBefore);
    }
    return parts.isEmpty() ? "every dead letter" : String.join(", ", parts);
  }

  private static @Nullable Instant failedAt(Map<String, String> attributes) {
    String value = attributes.get(DeadLetterMessages.FAILED_AT);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
