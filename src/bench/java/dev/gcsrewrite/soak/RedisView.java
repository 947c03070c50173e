package dev.gcsrewrite.soak;

import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What Redis records, as the checker reads it: the records at the end, and for a record a Redis
 * restart emptied, the one the soak read just before that restart (with Redis's writes paused, so
 * that nothing settled between the reading and the restart).
 */
final class RedisView {
  private final RedisRecords last;
  private final List<RedisRecords> beforeRestarts;

  /** {@code beforeRestarts}: the records read before each restart, oldest first. */
  RedisView(RedisRecords last, List<RedisRecords> beforeRestarts) {
    this.last = last;
    this.beforeRestarts = List.copyOf(beforeRestarts);
  }

  /** The generation's record: the last one, or the newest read before a restart; else null. */
  @Nullable Map<String, String> record(String name, long generation) {
    Map<String, String> record = last.record(name, generation);
    for (int i = beforeRestarts.size() - 1; record == null && i >= 0; i--) {
      record = beforeRestarts.get(i).record(name, generation);
    }
    return record;
  }

  /** Whether the generation's record is only known from before a Redis restart. */
  boolean forgotten(String name, long generation) {
    return last.record(name, generation) == null && record(name, generation) != null;
  }

  /**
   * Whether Redis recorded the generation COMPLETED at the end or in any reading before a restart.
   * A completion a restart made Redis forget stays one: when the generation comes again after the
   * restart (a redelivery, a reconcile) and its source is gone, Redis then records it SKIPPED, and
   * its output is still the rewrite it completed with.
   */
  boolean completedEver(String name, long generation) {
    if ("COMPLETED".equals(state(name, generation))) {
      return true;
    }
    for (RedisRecords before : beforeRestarts) {
      Map<String, String> record = before.record(name, generation);
      if (record != null && "COMPLETED".equals(record.get("state"))) {
        return true;
      }
    }
    return false;
  }

  @Nullable String state(String name, long generation) {
    Map<String, String> record = record(name, generation);
    return record == null ? null : record.get("state");
  }

  /** The latest completed generation: the last one Redis holds, or, if none, before a restart. */
  @Nullable Long latest(String name) {
    Long latest = last.latest().get(name);
    for (int i = beforeRestarts.size() - 1; latest == null && i >= 0; i--) {
      latest = beforeRestarts.get(i).latest().get(name);
    }
    return latest;
  }

  /**
   * The newest generation completed or ever claimed, whenever Redis knew it: a generation older
   * than that was superseded (the claim script answers SUPERSEDED and records nothing).
   */
  long newestKnown(String name) {
    long newest = Math.max(last.maxClaimed(name), last.latest().getOrDefault(name, 0L));
    for (RedisRecords before : beforeRestarts) {
      newest =
          Math.max(
              newest, Math.max(before.maxClaimed(name), before.latest().getOrDefault(name, 0L)));
    }
    return newest;
  }

  /**
   * Whether the generation is settled: COMPLETED or SKIPPED, or without a record and superseded by
   * a newer generation claimed or completed (what the status command reports as skipped).
   */
  boolean settled(String name, long generation) {
    String state = state(name, generation);
    if (state == null) {
      return newestKnown(name) > generation;
    }
    return state.equals("COMPLETED") || state.equals("SKIPPED");
  }

  /** The settled outcome for the report: the state, and the reason of a SKIPPED record. */
  String outcome(String name, long generation) {
    Map<String, String> record = record(name, generation);
    if (record == null) {
      return newestKnown(name) > generation ? "SKIPPED superseded (no record)" : "no record";
    }
    String state = String.valueOf(record.get("state"));
    return state.equals("SKIPPED") ? state + " " + record.getOrDefault("reason", "?") : state;
  }

  RedisRecords last() {
    return last;
  }
}
