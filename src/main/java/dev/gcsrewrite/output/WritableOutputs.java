package dev.gcsrewrite.output;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds work back, rather than failing it, while the processed bucket refuses writes.
 *
 * <p>A refusal that is the bucket's and not one object's (the job's service account lost its role
 * on the processed bucket, a read-only local folder) fails every write. Left to FileIO, each write
 * fails its bundle: Dataflow retries it with no counter of ours and a stack trace per try, and the
 * DirectRunner ends the run. So before a claim goes to FileIO, its worker checks that it can create
 * and delete a file where FileIO puts its temporary files, at most once per {@link #RECHECK_MILLIS}
 * while that passes; while it does not, the claim waits (its lease renewed by the keeper), every
 * failed check counts in {@code outputRefused}, and one line a minute says what is refused and what
 * to do. The work goes on by itself once the cause is fixed.
 *
 * <p>The check's file is named with FileIO's temporary prefix ({@code .temp-beam}) so that whatever
 * already ignores FileIO's temporary files ignores it too; it lives for one create and one delete.
 * A refusal that starts between the check and the write still fails that bundle as before.
 */
final class WritableOutputs {
  /** How long a passed check holds. */
  static final long RECHECK_MILLIS = 30_000;

  static final long FIRST_BACKOFF_MILLIS = 500;
  static final long MAX_BACKOFF_MILLIS = 15_000;
  private static final long LOG_INTERVAL_MILLIS = 60_000;
  private static final String CHECK_PREFIX = ".temp-beam-gcs-rewrite-write-check-";

  private static final Logger LOG = LoggerFactory.getLogger(WritableOutputs.class);
  // Per output directory: when a check last passed. Shared by every claim on this worker.
  private static final Map<String, Long> PASSED = new ConcurrentHashMap<>();
  // Per output directory: one check at a time, so that the claims arriving together on a worker
  // cost one check and not one each; the others wait for its answer. A lock rather than a monitor:
  // a claim waiting behind a refused bucket's check, which may last hours, must still stop when
  // its work is cancelled (its thread interrupted).
  private static final Map<String, ReentrantLock> CHECKING = new ConcurrentHashMap<>();
  private static final AtomicLong LAST_LOG = new AtomicLong();
  // Failed checks on this worker since it started, for tests that wait on a refusal being seen.
  static final AtomicLong REFUSALS = new AtomicLong();

  private WritableOutputs() {}

  /**
   * Returns once {@code outputDirectory} takes writes: at once when a check passed in the last
   * {@link #RECHECK_MILLIS}, else after a check that passes, however long that takes.
   *
   * @throws InterruptedException when the thread is interrupted, checking or waiting for another
   *     thread's check of the same directory
   */
  static void await(String outputDirectory) throws InterruptedException {
    if (passedRecently(outputDirectory)) {
      return;
    }
    ReentrantLock checking = CHECKING.computeIfAbsent(outputDirectory, d -> new ReentrantLock());
    checking.lockInterruptibly();
    try {
      if (!passedRecently(outputDirectory)) {
        checkUntilWritable(outputDirectory);
      }
    } finally {
      checking.unlock();
    }
  }

  private static boolean passedRecently(String outputDirectory) {
    Long passed = PASSED.get(outputDirectory);
    return passed != null && System.currentTimeMillis() - passed < RECHECK_MILLIS;
  }

  private static void checkUntilWritable(String outputDirectory) throws InterruptedException {
    long backoff = FIRST_BACKOFF_MILLIS;
    long refusedSince = 0;
    while (true) {
      String refusal = check(outputDirectory);
      long now = System.currentTimeMillis();
      if (refusal == null) {
        PASSED.put(outputDirectory, now);
        if (refusedSince != 0) {
          LOG.info(
              "The processed bucket {} takes writes again, after {} s; the work held back goes on",
              outputDirectory,
              (now - refusedSince) / 1000);
        }
        return;
      }
      PASSED.remove(outputDirectory);
      PipelineMetrics.OUTPUT_REFUSED.inc();
      REFUSALS.incrementAndGet();
      if (refusedSince == 0) {
        refusedSince = now;
      }
      long last = LAST_LOG.get();
      if (now - last >= LOG_INTERVAL_MILLIS && LAST_LOG.compareAndSet(last, now)) {
        LOG.warn(
            "Cannot write to the processed bucket {}: {}. The work waits, nothing is dropped; grant"
                + " the job's service account roles/storage.objectAdmin on it (or make the folder"
                + " writable), and it goes on by itself",
            outputDirectory,
            refusal);
      }
      Thread.sleep(backoff);
      backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    }
  }

  /** Creates and deletes one file in {@code outputDirectory}; null when both pass, else why not. */
  static String check(String outputDirectory) {
    ResourceId probe =
        FileSystems.matchNewResource(
            outputDirectory + CHECK_PREFIX + UUID.randomUUID(), /* isDirectory= */ false);
    try {
      try (WritableByteChannel channel = FileSystems.create(probe, MimeTypes.BINARY)) {
        // Nothing to write: creating and deleting is what FileIO's write and rename need.
      }
      FileSystems.delete(List.of(probe), StandardMoveOptions.IGNORE_MISSING_FILES);
      return null;
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  /** Forgets every passed check, so that the next claim checks again (for tests). */
  static void forget() {
    PASSED.clear();
    LAST_LOG.set(0);
  }
}
