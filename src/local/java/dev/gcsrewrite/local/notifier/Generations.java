package dev.gcsrewrite.local.notifier;

import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Generation numbers for files, following Cloud Storage's: a generation is the time the generation
 * was created, in microseconds since the epoch, and the generations of one name only ever grow.
 */
final class Generations {
  private Generations() {}

  /**
   * The generation of a file last modified at {@code modified}, given the last generation known for
   * its name (null if none).
   *
   * <p>The modification time is the natural choice, and it is what a restarted notifier computes
   * again for an unchanged file, so settled generations can be recognised. It is not enough on its
   * own: file systems with coarse timestamps, two writes in one tick, or a file restored with an
   * older time would give a generation that does not grow, and the pipeline would take the new
   * content for a duplicate. Then the previous generation plus one is used instead.
   */
  static long next(FileTime modified, @Nullable Long previous) {
    // The parser accepts positive generations only; a file dated 1970 or earlier still gets one.
    long candidate = Math.max(1, modified.to(TimeUnit.MICROSECONDS));
    if (previous != null && candidate <= previous) {
      return Math.addExact(previous, 1);
    }
    return candidate;
  }

  /** When {@code generation} was created, as Cloud Storage's generations encode it. */
  static Instant created(long generation) {
    return Instant.EPOCH.plus(generation, ChronoUnit.MICROS);
  }
}
