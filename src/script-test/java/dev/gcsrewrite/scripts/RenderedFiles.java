package dev.gcsrewrite.scripts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scripts render the dashboards and alert policies into the repository's {@code
 * target/monitoring/}, removing what an earlier run left there first, and the tests then read those
 * files (or hand them to the real gcloud). Test classes run in two JVMs at once, so whoever runs
 * the scripts holds this lock from the first script to the last read of what they wrote: a file
 * lock on {@code target/scripts.lock} between JVMs, counted within one.
 */
final class RenderedFiles {
  private static final Path LOCK = Path.of("target", "scripts.lock");

  private static int holders;
  private static FileChannel channel;
  private static FileLock lock;

  private RenderedFiles() {}

  /** Waits for the lock; closing what it returns gives it back. */
  static synchronized AutoCloseable hold() {
    try {
      if (holders == 0) {
        Files.createDirectories(LOCK.getParent());
        channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = channel.lock();
      }
      holders++;
      AtomicBoolean held = new AtomicBoolean(true);
      return () -> {
        if (held.getAndSet(false)) {
          release();
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized void release() {
    if (--holders == 0) {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
