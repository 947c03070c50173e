package dev.gcsrewrite.replay;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Which dead letters a replay takes, by the dead letter's own attributes.
 *
 * <p>An empty set or a null bound takes any. The attributes are those of both dead-letter forms, so
 * a dead letter whose original cannot be recovered is still sorted by reason.
 *
 * @param errorTypes the {@code errorType}s to take
 * @param errorStages the {@code errorStage}s to take
 * @param failedAfter the earliest {@code failedAt} taken (inclusive)
 * @param failedBefore the first {@code failedAt} no longer taken (exclusive)
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
    Instant failedAt;
    try {
      failedAt = Instant.parse(attributes.getOrDefault(DeadLetterMessages.FAILED_AT, ""));
    } catch (DateTimeParseException e) {
      return false;
    }
    return (failedAfter == null || !failedAt.isBefore(failedAfter))
        && (failedBefore == null || failedAt.isBefore(failedBefore));
  }

  /** The filter in words, for the command's first line. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!errorTypes.isEmpty()) {
      parts.add("errorType in " + new TreeSet<>(errorTypes));
    }
    if (!errorStages.isEmpty()) {
      parts.add("errorStage in " + new TreeSet<>(errorStages));
    }
    if (failedAfter != null) {
      parts.add("failed at or after " + failedAfter);
    }
    if (failedBefore != null) {
      parts.add("failed before " + failedBefore);
    }
    return parts.isEmpty() ? "every dead letter" : String.join(", ", parts);
  }
}
