package dev.gcsrewrite.redis;

import java.util.Objects;

/**
 * The points in a claim's life where a worker can freeze (a long garbage collection, a live
 * migration, a VM paused) with consequences for the guarantee: the steps between the claim and its
 * settlement that change an output without a fence. The code passes each point; nothing happens
 * unless a test has installed a {@link Hook}, which may hold the thread there past the claim's
 * lease, as a frozen worker would be held, to show that the settlement or release after it puts the
 * newest generation's output back.
 */
public final class FaultPoints {
  /** A point in a claim's life. */
  public enum Point {
    /** The sink has the source open and is about to stream it into FileIO's temporary file. */
    STREAMING,
    /** The sink has written the temporary file; FileIO renames it into place later. */
    WRITTEN,
    /** FileIO has renamed the output into place; the settlement comes next. */
    RENAMED,
    /** A repair or cleanup holds the lock and is about to change the output. */
    REPAIRING,
    /** The lease keeper is about to renew the claim's lease. */
    RENEWING
  }

  /** What a test does at a point. */
  public interface Hook {
    /**
     * Called at {@code point} for {@code claim}; may block. Returns false to skip what comes next
     * where that can be skipped (a renewal), as a frozen worker would.
     */
    boolean reach(Point point, ClaimStore.Held claim);
  }

  private static final Hook NONE = (point, claim) -> true;
  private static volatile Hook hook = NONE;

  private FaultPoints() {}

  /** Passes {@code point}: true unless the installed hook says to skip what follows. */
  public static boolean reach(Point point, ClaimStore.Held claim) {
    return hook.reach(point, claim);
  }

  /** Installs {@code installed} for the whole JVM until {@link #clear}; for tests. */
  public static void install(Hook installed) {
    hook = Objects.requireNonNull(installed);
  }

  /** Removes the installed hook. */
  public static void clear() {
    hook = NONE;
  }
}
