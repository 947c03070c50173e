package dev.gcsrewrite.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something that a running pipeline makes true, failing after a deadline. */
public final class Eventually {
  private Eventually() {}

  /** Polls {@code condition} every 200 ms until it holds; fails naming {@code what} at timeout. */
  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
