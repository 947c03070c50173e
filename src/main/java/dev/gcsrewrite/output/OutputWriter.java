package dev.gcsrewrite.output;

import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.rewrite.RewriteStats;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a claimed generation's output: streams the generation, read pinned and checked by {@link
 * VerifyingChannel} against what its notification says, through the token rewriter into a channel.
 * The one writer behind {@link WriteProcessedObjects} (into FileIO's channel, in {@link
 * RewritingSink}) and {@link RepairOutputs} (into a temporary file it renames into place), so both
 * hold what they read to the same checks.
 *
 * <pre>{@code
 * OutputWriter writer = OutputWriter.of(locations, new TokenRewriter(rules), claimSettings);
 * }</pre>
 *
 * @param locations where outputs go
 * @param sources where generations are read from
 * @param rewriter the token rewrite
 * @param claimSettings the lease kept alive while writing, and how long records are kept
 */
public record OutputWriter(
    ObjectLocations locations,
    GenerationSource sources,
    TokenRewriter rewriter,
    ClaimSettings claimSettings)
    implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputWriter.class);

  /**
   * How a write ended.
   *
   * @param stats what the rewrite did; null when the generation was missing and nothing was written
   * @param mismatch how what was read differs from what the notification says, or null
   */
  record Result(@Nullable RewriteStats stats, @Nullable String mismatch) {
    /** Whether what was written is the rewrite of the notified generation, as far as known. */
    boolean asNotified() {
      return stats != null && mismatch == null;
    }
  }

  /** A writer that reads from where {@code locations} says buckets are. */
  public static OutputWriter of(
      ObjectLocations locations, TokenRewriter rewriter, ClaimSettings claimSettings) {
    GenerationSource sources =
        locations.bucketRoot().startsWith("gs://")
            ? new CloudStorageSource(CloudStorageSource.defaultStorage())
            : new LocalFolderSource(locations.bucketRoot());
    return new OutputWriter(locations, sources, rewriter, claimSettings);
  }

  /** Renews {@code claim}'s lease until closed: for as long as its output is being written. */
  LeaseHeartbeat heartbeat(ClaimStore store, ClaimStore.Held claim) {
    return new LeaseHeartbeat(store, claim, claimSettings.lease());
  }

  /** Streams {@code n}'s generation, rewritten, into {@code out}; nothing if it is missing. */
  Result write(GcsNotification n, WritableByteChannel out) throws IOException {
    ReadableByteChannel in = SourceProbe.openUnlessMissing(() -> sources.open(n));
    if (in == null) {
      return new Result(null, null);
    }
    try (VerifyingChannel source = new VerifyingChannel(in, n)) {
      Result result = new Result(rewriter.rewrite(source, out), source.mismatch());
      if (result.mismatch() != null) {
        PipelineMetrics.SOURCE_CHANGED.inc();
        LOG.warn("Read {}, but not as notified: {}", n.generationKey(), result.mismatch());
      }
      return result;
    }
  }

  /** What a dead letter says of a generation that cannot be read for {@code reason}. */
  String cannotRead(GcsNotification n, String reason) {
    return "cannot read " + sourceOf(n) + ": " + reason;
  }

  /** The notified generation's source, as logs and dead letters name it. */
  String sourceOf(GcsNotification n) {
    return locations.sourceSpec(n.bucket(), n.objectId()) + "#" + n.generation();
  }

  /** Where {@code n}'s object's output is. */
  String outputSpec(GcsNotification n) {
    return locations.outputSpec(n.bucket(), n.objectId());
  }
}
