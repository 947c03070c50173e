package dev.gcsrewrite.replay;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a replay is asked to do: where it reads and writes, which dead letters it takes, how many.
 *
 * <p>The filters read only the dead letter's own attributes, which both dead-letter forms carry, so
 * a dead letter whose original cannot be recovered is still sorted by reason. An empty set or a
 * null bound takes any.
 *
 * @param from the dead-letter subscription, {@code projects/P/subscriptions/S}, or an archive
 * @param to the notifications topic, {@code projects/P/topics/T}, or null to archive only
 * @param archive where each dead letter taken is written before it is acknowledged, or null
 * @param errorTypes the {@code errorType}s to take
 * @param errorStages the {@code errorStage}s to take
 * @param failedAfter the earliest {@code failedAt} taken (inclusive)
 * @param failedBefore the first {@code failedAt} no longer taken (exclusive)
 * @param max the most dead letters to read, or 0 for all
 * @param dryRun decide, but publish, write and acknowledge nothing
 * @param show how many decisions to print
 */
public record ReplayRequest(
    String from,
    @Nullable String to,
    @Nullable String archive,
    Set<String> errorTypes,
    Set<String> errorStages,
    @Nullable Instant failedAfter,
    @Nullable Instant failedBefore,
    long max,
    boolean dryRun,
    int show) {
  /** The form of a subscription's name; anything else read from is an archive. */
  public static final Pattern SUBSCRIPTION = Pattern.compile("projects/[^/]+/subscriptions/[^/]+");

  public ReplayRequest {
    if (to == null && archive == null) {
      throw new IllegalArgumentException("a replay needs a topic or an archive");
    }
    errorTypes = Set.copyOf(errorTypes);
    errorStages = Set.copyOf(errorStages);
  }

  /** Whether {@link #from} is a subscription rather than an archive. */
  public boolean fromSubscription() {
    return SUBSCRIPTION.matcher(from).matches();
  }

  /** Whether the filters take a dead letter with these attributes. */
  public boolean matches(Map<String, String> attributes) {
    if (!takes(errorTypes, attributes, DeadLetterMessages.ERROR_TYPE)
        || !takes(errorStages, attributes, DeadLetterMessages.ERROR_STAGE)) {
      return false;
    }
    try {
      Instant failedAt = Instant.parse(attributes.getOrDefault(DeadLetterMessages.FAILED_AT, ""));
      return (failedAfter == null || !failedAt.isBefore(failedAfter))
          && (failedBefore == null || failedAt.isBefore(failedBefore));
    } catch (DateTimeParseException e) {
      return failedAfter == null && failedBefore == null;
    }
  }

  private static boolean takes(Set<String> wanted, Map<String, String> attributes, String key) {
    String value = attributes.get(key); // Set.copyOf's sets refuse contains(null)
    return wanted.isEmpty() || (value != null && wanted.contains(value));
  }

  /** The filters in words, for the replay's first line. */
  String filters() {
    String filters =
        Stream.of(
                errorTypes.isEmpty() ? null : "errorType in " + new TreeSet<>(errorTypes),
                errorStages.isEmpty() ? null : "errorStage in " + new TreeSet<>(errorStages),
                failedAfter == null ? null : "failed at or after " + failedAfter,
                failedBefore == null ? null : "failed before " + failedBefore)
            .filter(Objects::nonNull)
            .collect(Collectors.joining(", "));
    return filters.isEmpty() ? "every dead letter" : filters;
  }
}
