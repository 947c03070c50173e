package dev.gcsrewrite.benchmark.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
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
    long ticks = ticksOf(Path.of("/proc", Long.toString(pid), "stat"));
    return ticks < 0 ? -1 : ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** User plus system clock ticks from a {@code stat} file of /proc, or -1. */
  private static long ticksOf(Path statFile) {
    try {
      String stat = Files.readString(statFile, StandardCharsets.US_ASCII);
      // The command name (field 2) is in parentheses and may hold spaces: count after its end.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU nanoseconds used so far by this JVM's own threads whose (15-character) name starts with one
   * of {@code prefixes}, from {@code /proc/self/task}: e.g. {@code "C2 CompilerThre"} for the JIT
   * compilers, {@code "GC Thread"} for G1's workers. Threads that ended are not counted; -1 when
   * there is no /proc.
   */
  public static long ownThreadsNanos(String... prefixes) {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      long total = 0;
      for (Path task : tasks) {
        String name;
        try {
          name = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII).strip();
        } catch (IOException ended) {
          continue;
        }
        for (String prefix : prefixes) {
          if (name.startsWith(prefix)) {
            total += Math.max(0, ticksOf(task.resolve("stat")));
            break;
          }
        }
      }
      return total * (1_000_000_000L / TICKS_PER_SECOND);
    } catch (IOException e) {
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
