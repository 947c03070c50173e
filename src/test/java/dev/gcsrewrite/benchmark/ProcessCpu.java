package dev.gcsrewrite.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by a process: this JVM from its {@code OperatingSystemMXBean}, another
 * process (a server this JVM started) from {@code /proc/<pid>/stat} (user plus system time, in
 * clock ticks of 10 ms on Linux). A reading of -1 means it cannot be had (no /proc, process gone).
 */
public final class ProcessCpu {
  /** Linux's USER_HZ on every architecture the build runs on ({@code getconf CLK_TCK}). */
  private static final long TICKS_PER_SECOND = 100;

  private ProcessCpu() {}

  /** CPU nanoseconds this JVM has used, all threads, user and system. */
  public static long ownNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU nanoseconds process {@code pid} has used (its own threads, not its children), or -1. */
  public static long nanos(long pid) {
    try {
      String stat =
          Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // The command name (field 2) is in parentheses and may hold spaces: count after its end.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The system's load averages over 1, 5 and 15 minutes, as {@code /proc/loadavg} has them. */
  public static String loadAverage() {
    try {
      String[] fields =
          Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
