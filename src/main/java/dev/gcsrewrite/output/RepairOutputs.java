package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimStoreFn;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.FaultPoints;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does what settlement found left to do on outputs, so that each output ends as the rewrite of its
 * object's newest completed generation.
 *
 * <p>Its output: a {@code repaired} {@link Outcome} of each generation written again and left in
 * place (announced on the complete topic as a {@code repaired} event).
 *
 * <p>Its steps:
 *
 * <ul>
 *   <li>{@code CleanUp} removes the output a writer had to leave where none was (its source
 *       vanished or could not be read: an empty file, or part of a rewrite), then releases the
 *       object's lock;
 *   <li>{@code Repair} writes an object's newest completed generation again, under the object's
 *       lock, when a stale write (from a writer whose lease had run out) may have landed over it:
 *       with the sink's {@link OutputWriter}, into a temporary file renamed into place as FileIO
 *       does. It writes nothing when the lock is busy (its holder writes after the stale write),
 *       the generation is gone (a newer one's work writes the output), or it is not as notified.
 * </ul>
 *
 * <p>Both wait, as the write does, while the processed bucket refuses writes ({@link
 * WritableOutputs}).
 *
 * <pre>{@code
 * SettleResults settled = processed.apply(CompleteClaims.STEP, new CompleteClaims(redis, claims));
 * settled.apply(RepairOutputs.STEP, new RepairOutputs(writer, redis));
 * }</pre>
 */
public final class RepairOutputs extends PTransform<SettleResults, PCollection<Outcome>> {
  /** Stable step name. */
  public static final String STEP = "RepairOutputs";

  /** A repair taken over by stale writes again and again stops after this many rounds. */
  static final int MAX_ROUNDS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(RepairOutputs.class);
  private final OutputWriter writer;
  private final RedisSettings redis;

  /** Writes with {@code writer}: the one {@link WriteProcessedObjects} writes with. */
  public RepairOutputs(OutputWriter writer, RedisSettings redis) {
    this.writer = writer;
    this.redis = redis;
  }

  @Override
  public PCollection<Outcome> expand(SettleResults settled) {
    PCollection<GcsNotification> dirtyAfterCleanup =
        settled.cleanups().apply("CleanUp", ParDo.of(new CleanUpFn(writer, redis)));
    return PCollectionList.of(settled.repairs())
        .and(dirtyAfterCleanup)
        .apply("AllRepairs", Flatten.pCollections())
        .apply("Repair", ParDo.of(new RepairFn(writer, redis)));
  }

  /**
   * Removes the empty or partial output a writer left where none was, then releases the lock. The
   * delete is not fenced: it is made only while the lock is still this claim's (renewed just
   * before), and if the release finds the lock lost (the cleanup froze past its lease, another
   * writer went on), the object is repaired.
   */
  static final class CleanUpFn extends ClaimStoreFn<Claim, GcsNotification> {
    private final OutputWriter writer;

    CleanUpFn(OutputWriter writer, RedisSettings redis) {
      super(redis);
      this.writer = writer;
    }

    @ProcessElement
    public void process(@Element Claim claim, OutputReceiver<GcsNotification> out)
        throws IOException, InterruptedException {
      WritableOutputs.await(writer.locations().outputDirectory());
      GcsNotification n = claim.notification();
      String spec = writer.outputSpec(n);
      FaultPoints.reach(FaultPoints.Point.REPAIRING, claim);
      // Opened, never matched: a match would take glob characters in the name for a pattern.
      long size = SourceProbe.sizeOf(spec);
      // Only while this claim still holds the object's lock: another generation's output, even an
      // empty one, may be there otherwise.
      if (size >= 0 && store().renew(claim, writer.claimSettings().lease())) {
        FileSystems.delete(List.of(FileSystems.matchNewResource(spec, false)));
        PipelineMetrics.CLEANUPS.inc();
        LOG.info("Removed the output {} left for {} ({} bytes)", spec, n.generationKey(), size);
      } else if (size >= 0) {
        LOG.warn("Left {} in place: {} no longer holds the object's lock", spec, n.generationKey());
      }
      if (store().releaseLock(claim)) {
        out.output(n);
      }
    }
  }

  /**
   * Writes an object's newest completed generation again, under its lock. Its rename is not fenced
   * either: when the release finds the lock lost or dirty, another writer may have written before
   * this rename landed, so it goes round again, up to {@link #MAX_ROUNDS} times.
   */
  static final class RepairFn extends ClaimStoreFn<GcsNotification, Outcome> {
    private final OutputWriter writer;

    RepairFn(OutputWriter writer, RedisSettings redis) {
      super(redis);
      this.writer = writer;
    }

    @ProcessElement
    public void process(@Element GcsNotification object, OutputReceiver<Outcome> out)
        throws IOException, InterruptedException {
      WritableOutputs.await(writer.locations().outputDirectory());
      ClaimStore current = store();
      for (int round = 0; round < MAX_ROUNDS; round++) {
        ClaimStore.Held latest = current.repair(object, writer.claimSettings());
        if (latest == null) {
          return;
        }
        boolean inDoubt;
        String written = null;
        try (ClaimStore.Writing writing = writer.keepWhileWriting(current, latest)) {
          written = writeAgain(described(latest.notification(), object), latest);
        } finally {
          inDoubt = current.releaseLock(latest);
        }
        if (!inDoubt && written != null) {
          PipelineMetrics.REPAIRS.inc();
          out.output(
              Outcome.repaired(
                  new Claim(latest.notification(), latest.token()),
                  written,
                  SourceProbe.sizeOf(written)));
          return;
        }
        if (!inDoubt) {
          return;
        }
      }
      LOG.warn("Gave up repairing {} after {} rounds", object.objectKey(), MAX_ROUNDS);
    }

    /**
     * Redis names the generation to write again, but keeps nothing of its size and checksums: the
     * notification at hand says those only when it is of that same generation.
     */
    private static GcsNotification described(GcsNotification latest, GcsNotification at) {
      return latest.generation() == at.generation() ? at : latest;
    }

    /**
     * Writes {@code n}'s generation into place under {@code lock}; its output's URI, or null when
     * it is gone, unreadable or not as notified, even half-way through (what was read then stays in
     * the temporary file, deleted).
     */
    @Nullable String writeAgain(GcsNotification n, ClaimStore.Held lock) throws IOException {
      String tempName = ObjectLocations.FILEIO_TEMP_PREFIX + "-repair-" + UUID.randomUUID();
      ResourceId temp =
          FileSystems.matchNewResource(writer.locations().outputDirectory() + tempName, false);
      boolean written = false;
      try {
        OutputWriter.Result result;
        try (WritableByteChannel target = FileSystems.create(temp, MimeTypes.BINARY)) {
          result = writer.write(n, target);
        }
        if (!result.asNotified()) {
          LOG.warn(
              "Did not repair the output of {}: the generation is {}",
              n.generationKey(),
              switch (result.read()) {
                case VANISHED -> "gone (a newer one's own work writes it)";
                case UNREADABLE -> "unreadable: " + result.detail();
                default -> "not as notified";
              });
          return null;
        }
        ResourceId output = FileSystems.matchNewResource(writer.outputSpec(n), false);
        FaultPoints.reach(FaultPoints.Point.REPAIRING, lock);
        // No move options: on Cloud Storage a rewrite of the exact name, locally an atomic move.
        FileSystems.rename(List.of(temp), List.of(output));
        written = true;
        LOG.info("Repaired {}: wrote generation {} again", output, n.generation());
        return output.toString();
      } finally {
        if (!written) {
          FileSystems.delete(List.of(temp), StandardMoveOptions.IGNORE_MISSING_FILES);
        }
      }
    }
  }
}
