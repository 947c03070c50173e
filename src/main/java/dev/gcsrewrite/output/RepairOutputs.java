package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimStoreFn;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code RepairOutputs}: what settlement found left to do on outputs, so that each output ends
 * as the rewrite of its object's newest completed generation.
 *
 * <p>{@code CleanUp} removes the empty output a writer had to leave where none was (its source
 * vanished), then releases the object's lock. {@code Repair} writes an object's newest completed
 * generation again, pinned to that generation and under the object's lock, when a stale write (a
 * writer whose lease had run out) may have landed over it: not through FileIO, but as FileIO does,
 * a temporary file below the output directory renamed into place. If the lock is busy, its holder
 * writes after the stale write, and writes again at its own settlement if it had written before; if
 * the generation is gone, a newer one exists and its own work will write the output. Returns the
 * generations written again.
 */
public final class RepairOutputs extends PTransform<SettleResults, PCollection<String>> {
  /** Stable step name. */
  public static final String STEP = "RepairOutputs";

  /** A repair taken over by stale writes again and again stops after this many rounds. */
  static final int MAX_ROUNDS = 5;

  private final ObjectLocations locations;
  private final GenerationSource sources;
  private final TokenRewriter rewriter;
  private final RedisSettings redis;
  private final ClaimSettings claimSettings;

  public RepairOutputs(
      ObjectLocations locations,
      TokenRewriter rewriter,
      RedisSettings redis,
      ClaimSettings claimSettings) {
    this(locations, GenerationSource.of(locations), rewriter, redis, claimSettings);
  }

  RepairOutputs(
      ObjectLocations locations,
      GenerationSource sources,
      TokenRewriter rewriter,
      RedisSettings redis,
      ClaimSettings claimSettings) {
    this.locations = locations;
    this.sources = sources;
    this.rewriter = rewriter;
    this.redis = redis;
    this.claimSettings = claimSettings;
  }

  @Override
  public PCollection<String> expand(SettleResults settled) {
    PCollection<GcsNotification> dirtyAfterCleanup =
        settled
            .cleanups()
            .apply("CleanUp", ParDo.of(new CleanUpFn(locations, redis)))
            .setCoder(GcsNotificationCoder.of());
    return PCollectionList.of(settled.repairs())
        .and(dirtyAfterCleanup)
        .apply("AllRepairs", Flatten.pCollections())
        .setCoder(GcsNotificationCoder.of())
        .apply("Repair", ParDo.of(new RepairFn(locations, sources, rewriter, redis, claimSettings)))
        .setTypeDescriptor(TypeDescriptors.strings());
  }

  /** Removes an empty output left for a vanished source, then releases the lock. */
  static final class CleanUpFn extends ClaimStoreFn<Claim, GcsNotification> {
    private static final Logger LOG = LoggerFactory.getLogger(RepairOutputs.class);
    private final ObjectLocations locations;

    CleanUpFn(ObjectLocations locations, RedisSettings redis) {
      super(redis);
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element Claim claim, OutputReceiver<GcsNotification> out)
        throws IOException {
      GcsNotification n = claim.notification();
      String spec = locations.outputSpec(n.bucket(), n.objectId());
      ResourceId output = FileSystems.matchNewResource(spec, false);
      // Opened, never matched: a match would take glob characters in the name for a pattern.
      if (SourceProbe.sizeOf(spec) == 0) {
        FileSystems.delete(List.of(output));
        PipelineMetrics.CLEANUPS.inc();
        LOG.info("Removed the empty output {} left for {}", output, n.generationKey());
      }
      if (store().releaseLock(claim)) {
        out.output(n);
      }
    }
  }

  /** Writes an object's newest completed generation again, under its lock. */
  static final class RepairFn extends ClaimStoreFn<GcsNotification, String> {
    private static final Logger LOG = LoggerFactory.getLogger(RepairOutputs.class);
    private final ObjectLocations locations;
    private final GenerationSource sources;
    private final TokenRewriter rewriter;
    private final ClaimSettings claimSettings;

    RepairFn(
        ObjectLocations locations,
        GenerationSource sources,
        TokenRewriter rewriter,
        RedisSettings redis,
        ClaimSettings claimSettings) {
      super(redis);
      this.locations = locations;
      this.sources = sources;
      this.rewriter = rewriter;
      this.claimSettings = claimSettings;
    }

    @ProcessElement
    public void process(@Element GcsNotification object, OutputReceiver<String> out)
        throws IOException {
      ClaimStore current = store();
      for (int round = 0; round < MAX_ROUNDS; round++) {
        ClaimStore.Held latest = current.repair(object, claimSettings);
        if (latest == null) {
          return;
        }
        boolean dirty;
        try (LeaseHeartbeat heartbeat =
            LeaseHeartbeat.start(current, latest, claimSettings.lease())) {
          if (write(latest)) {
            PipelineMetrics.REPAIRS.inc();
            out.output(latest.notification().generationKey());
          }
        } finally {
          dirty = current.releaseLock(latest);
        }
        if (!dirty) {
          return;
        }
      }
      LOG.warn("Gave up repairing {} after {} rounds", object.objectKey(), MAX_ROUNDS);
    }

    /** Rewrites {@code latest}'s generation into place; false if that generation is gone. */
    private boolean write(ClaimStore.Held latest) throws IOException {
      GcsNotification n = latest.notification();
      ReadableByteChannel in = SourceProbe.openUnlessMissing(() -> sources.open(n));
      if (in == null) {
        LOG.info(
            "Did not repair the output of {}: the generation is gone, and a newer one's own work"
                + " writes the output",
            n.generationKey());
        return false;
      }
      ResourceId temp =
          FileSystems.matchNewResource(
              locations.outputDirectory()
                  + ObjectLocations.FILEIO_TEMP_PREFIX
                  + "-repair-"
                  + UUID.randomUUID(),
              false);
      try (ReadableByteChannel source = in;
          WritableByteChannel target = FileSystems.create(temp, MimeTypes.BINARY)) {
        rewriter.rewrite(source, target);
      }
      ResourceId output =
          FileSystems.matchNewResource(locations.outputSpec(n.bucket(), n.objectId()), false);
      // No move options: on Cloud Storage a rewrite of the exact name, locally an atomic move.
      FileSystems.rename(List.of(temp), List.of(output));
      LOG.info("Repaired {}: wrote generation {} again", output, n.generation());
      return true;
    }
  }
}
