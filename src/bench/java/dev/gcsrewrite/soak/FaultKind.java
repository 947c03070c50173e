package dev.gcsrewrite.soak;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The faults the soak injects, by the name {@code --fault-kinds} gives them. */
enum FaultKind {
  /** A pipeline JVM killed with SIGKILL, started again, and the bucket reconciled. */
  KILL("kill", "pipeline SIGKILL, restart and reconcile"),
  /** A pipeline JVM stopped with SIGSTOP for longer than its claim lease, then SIGCONT. */
  FREEZE("freeze", "pipeline frozen past its lease (SIGSTOP, SIGCONT)"),
  /** Redis stopped and started again on its port with no data. */
  REDIS_EMPTY("redis-empty", "Redis restarted empty"),
  /** Redis refusing every write ({@code maxmemory 1}, {@code noeviction}) for 20 s. */
  REDIS_FULL("redis-full", "Redis full for 20 s"),
  /** Redis a replica of a port where nothing listens (read-only) for 20 s. */
  REDIS_READ_ONLY("redis-read-only", "Redis read-only for 20 s"),
  /**
   * A second pipeline on the same subscription, Redis and output folder: started by one injection,
   * stopped (SIGTERM, then reconcile) by the next.
   */
  SECOND_PIPELINE("second-pipeline", "second pipeline started or stopped");

  private final String flag;
  private final String description;

  FaultKind(String flag, String description) {
    this.flag = flag;
    this.description = description;
  }

  String flag() {
    return flag;
  }

  String description() {
    return description;
  }

  /** {@code all}, {@code none}, or a comma-separated list of flag names. */
  static Set<FaultKind> parse(String list) {
    String trimmed = list.trim().toLowerCase(Locale.ROOT);
    if (trimmed.equals("all")) {
      return EnumSet.allOf(FaultKind.class);
    }
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    if (trimmed.equals("none") || trimmed.isEmpty()) {
      return kinds;
    }
    for (String name : trimmed.split(",")) {
      kinds.add(byFlag(name.trim()));
    }
    return kinds;
  }

  private static FaultKind byFlag(String name) {
    List<String> known = new ArrayList<>();
    for (FaultKind kind : values()) {
      if (kind.flag.equals(name)) {
        return kind;
      }
      known.add(kind.flag);
    }
    throw new IllegalArgumentException(
        "unknown fault kind '" + name + "'; known: all, none, " + String.join(", ", known));
  }
}
