package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.FaultPoints;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteStats;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FileIO sink that makes one output: it receives a claim and has the {@link OutputWriter}
 * stream the claim's generation into FileIO's channel, so an object of any size needs only the
 * rewriter's two fixed buffers and no content ever becomes a pipeline element.
 *
 * <p>FileIO renames whatever this sink wrote into place, so when the read goes wrong in a way no
 * retry mends, the sink tells the settlement in the claim's Redis record:
 *
 * <ul>
 *   <li>a generation that vanished after it was located gets the current output's own bytes
 *       ({@value #VANISHED_PRESERVED}), or with no output yet an empty file the settlement deletes
 *       ({@value #VANISHED_EMPTY});
 *   <li>content that is not the notified generation's is noted as {@value #CHANGED} and never
 *       announced as complete.
 * </ul>
 *
 * <p>FileIO opens one sink per destination, and the destination is the claim itself, so a sink sees
 * one generation. Should FileIO hand it the same claim twice in one pane, the second copy is
 * ignored: appending it would write the content twice.
 */
final class RewritingSink implements FileIO.Sink<Claim> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RewritingSink.class);

  static final String VANISHED_PRESERVED = "vanished:preserved";
  static final String VANISHED_EMPTY = "vanished:empty";
  static final String CHANGED = "changed:";

  private final OutputWriter writer;
  private final RedisSettings redis;
  private transient @Nullable WritableByteChannel channel;
  private transient @Nullable Claim written;

  RewritingSink(OutputWriter writer, RedisSettings redis) {
    this.writer = writer;
    this.redis = redis;
  }

  /** A new sink for each destination: a sink holds its destination's channel. */
  static SerializableFunction<Claim, FileIO.Sink<Claim>> perDestination(
      OutputWriter writer, RedisSettings redis) {
    return destination -> new RewritingSink(writer, redis);
  }

  @Override
  public void open(WritableByteChannel channel) {
    this.channel = channel;
  }

  @Override
  public void write(Claim claim) throws IOException {
    if (written != null) {
      if (!written.equals(claim)) {
        throw new IllegalStateException(
            "FileIO gave one sink two claims: " + written + ", " + claim);
      }
      LOG.info("Ignored a second copy of {} in one pane", claim.generationKey());
      return;
    }
    written = claim;
    WritableByteChannel out = channel;
    if (out == null) {
      throw new IllegalStateException("write() before open()");
    }
    GcsNotification n = claim.notification();
    try (ClaimStore store = ClaimStore.forPipeline(redis);
        ClaimStore.Writing writing = writer.keepWhileWriting(store, claim)) {
      FaultPoints.reach(FaultPoints.Point.STREAMING, claim);
      OutputWriter.Result result = writer.write(n, out);
      FaultPoints.reach(FaultPoints.Point.WRITTEN, claim);
      RewriteStats stats = result.stats();
      if (stats == null || result.mismatch() != null) {
        String found = stats == null ? vanished(n, out) : CHANGED + result.mismatch();
        store.recordReadResult(n, found, writer.claimSettings().retention());
      } else {
        PipelineMetrics.WRITTEN.inc();
        PipelineMetrics.BYTES_IN.inc(stats.bytesIn());
        PipelineMetrics.BYTES_OUT.inc(stats.bytesOut());
        PipelineMetrics.REPLACEMENTS.inc(stats.replacements());
        LOG.info("Rewrote {} to a temporary file: {}", n.generationKey(), stats);
      }
    }
  }

  /**
   * The generation was there when it was located and is gone now (overwritten, deleted). FileIO
   * will put whatever this writes in place of the output, so write the output's own current bytes.
   */
  private String vanished(GcsNotification n, WritableByteChannel out) throws IOException {
    PipelineMetrics.SOURCE_VANISHED.inc();
    ReadableByteChannel current =
        SourceProbe.openUnlessMissing(
            () -> FileSystems.open(FileSystems.matchNewResource(writer.outputSpec(n), false)));
    if (current == null) {
      LOG.warn(
          "{} vanished before it was read, and there is no output yet: the empty file left in"
              + " its place is removed at settlement",
          n.generationKey());
      return VANISHED_EMPTY;
    }
    try (ReadableByteChannel copy = current) {
      Channels.newInputStream(copy).transferTo(Channels.newOutputStream(out));
    }
    LOG.warn("{} vanished before it was read: its output is kept as it was", n.generationKey());
    return VANISHED_PRESERVED;
  }

  @Override
  public void flush() {
    // The rewriter flushes its own buffer before returning; FileIO closes the channel.
  }
}
