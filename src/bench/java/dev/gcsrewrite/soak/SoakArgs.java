package dev.gcsrewrite.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The soak's command line, every flag {@code --name=value}.
 *
 * @param seed seeds the workload and the fault schedule: the same seed, the same operations and the
 *     same faults in the same order
 * @param workload how long the workload runs (faults are injected meanwhile)
 * @param faultKinds the faults to inject, each kind in turn in a seeded order
 * @param report a file to write the table to as well (Markdown), or null
 * @param objects how many object names the workload uses
 * @param opsPerSecond workload operations per second (creates, overwrites, deletes, duplicates)
 * @param faultGapMin the least time between the end of a fault and the start of the next
 * @param faultGapMax the most
 * @param warmUp the time before the first fault
 * @param claimLease the pipelines' {@code --claimLease} (a freeze lasts longer than this)
 * @param drainCap the longest the soak waits for the pipelines to settle everything at the end
 * @param workDir buckets, outputs, logs; emptied at start
 * @param jar the bundled jar the pipelines run from
 * @param versioned whether the work bucket keeps every generation (object versioning)
 */
record SoakArgs(
    long seed,
    Duration workload,
    Set<FaultKind> faultKinds,
    @Nullable Path report,
    int objects,
    double opsPerSecond,
    Duration faultGapMin,
    Duration faultGapMax,
    Duration warmUp,
    Duration claimLease,
    Duration drainCap,
    Path workDir,
    Path jar,
    boolean versioned) {

  static final String USAGE =
      String.join(
          "\n",
          "usage: soak [--seed=N] [--minutes=M] [--fault-kinds=all|none|KIND,...] [--report=FILE]",
          "            [--objects=N] [--ops-per-second=R] [--fault-gap=MIN-MAX] [--warm-up=S]",
          "            [--claim-lease=S] [--drain-cap-minutes=M] [--work-dir=DIR] [--jar=JAR]",
          "            [--versioned]",
          "",
          "  --seed=N               seeds the workload and the fault schedule (1)",
          "  --minutes=M            minutes of workload, faults injected meanwhile (decimals too; 3)",
          "  --fault-kinds=LIST     all, none, or some of: kill, freeze, redis-empty, redis-full,",
          "                         redis-read-only, second-pipeline (all)",
          "  --report=FILE          also write the table (Markdown) to FILE",
          "  --objects=N            object names the workload writes (60)",
          "  --ops-per-second=R     creates, overwrites, deletes and duplicates per second (2)",
          "  --fault-gap=MIN-MAX    seconds between one fault's end and the next's start (20-40;",
          "                         60-120 for runs over 10 minutes)",
          "  --warm-up=S            seconds before the first fault (20)",
          "  --claim-lease=S        the pipelines' --claimLease, in seconds (5)",
          "  --drain-cap-minutes=M  the longest wait for everything to settle at the end (10)",
          "  --work-dir=DIR         buckets, outputs and logs, emptied first (target/soak)",
          "  --jar=JAR              the bundled jar (target/gcs-rewrite-bundled.jar)",
          "  --versioned            the work bucket keeps every generation",
          "",
          "Exit status: 0 no violation, 1 violations (listed), 2 bad arguments or a start failure.");

  static SoakArgs parse(List<String> args) {
    long seed = 1;
    double minutes = 3;
    Set<FaultKind> kinds = FaultKind.parse("all");
    Path report = null;
    int objects = 60;
    double rate = 2;
    String gap = null;
    long warmUp = 20;
    long lease = 5;
    double drainCap = 10;
    Path workDir = Path.of("target", "soak");
    Path jar = Path.of("target", "gcs-rewrite-bundled.jar");
    boolean versioned = false;
    for (String arg : args) {
      if (arg.equals("--versioned")) {
        versioned = true;
        continue;
      }
      int equals = arg.indexOf('=');
      if (!arg.startsWith("--") || equals < 0) {
        throw new IllegalArgumentException("expected --name=value, not '" + arg + "'");
      }
      String name = arg.substring(2, equals);
      String value = arg.substring(equals + 1);
      switch (name) {
        case "seed" -> seed = Long.parseLong(value);
        case "minutes" -> minutes = positive(name, Double.parseDouble(value));
        case "fault-kinds" -> kinds = FaultKind.parse(value);
        case "report" -> report = value.isEmpty() ? null : Path.of(value);
        case "objects" -> objects = (int) positive(name, Integer.parseInt(value));
        case "ops-per-second" -> rate = positive(name, Double.parseDouble(value));
        case "fault-gap" -> gap = value;
        case "warm-up" -> warmUp = Long.parseLong(value);
        case "claim-lease" -> lease = (long) positive(name, Long.parseLong(value));
        case "drain-cap-minutes" -> drainCap = positive(name, Double.parseDouble(value));
        case "work-dir" -> workDir = Path.of(value);
        case "jar" -> jar = Path.of(value);
        default -> throw new IllegalArgumentException("unknown flag --" + name);
      }
    }
    if (gap == null) {
      gap = minutes > 10 ? "60-120" : "20-40";
    }
    String[] bounds = gap.split("-", 2);
    if (bounds.length != 2) {
      throw new IllegalArgumentException("--fault-gap takes MIN-MAX seconds, not '" + gap + "'");
    }
    long gapMin = Long.parseLong(bounds[0].trim());
    long gapMax = Long.parseLong(bounds[1].trim());
    if (gapMin < 0 || gapMax < gapMin) {
      throw new IllegalArgumentException("--fault-gap: MIN-MAX with 0 <= MIN <= MAX, not " + gap);
    }
    return new SoakArgs(
        seed,
        Duration.ofMillis(Math.round(minutes * 60_000)),
        kinds,
        report,
        objects,
        rate,
        Duration.ofSeconds(gapMin),
        Duration.ofSeconds(gapMax),
        Duration.ofSeconds(warmUp),
        Duration.ofSeconds(lease),
        Duration.ofMillis(Math.round(drainCap * 60_000)),
        workDir.toAbsolutePath(),
        jar.toAbsolutePath(),
        versioned);
  }

  private static double positive(String name, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException("--" + name + " must be positive, not " + value);
    }
    return value;
  }
}
