package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteStats;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FileIO sink that makes one output: it receives a claim on a source generation and streams
 * that generation's content, token rewrite and FileIO's channel together, so an object of any size
 * needs only the rewriter's two fixed buffers and no content ever becomes a pipeline element.
 *
 * <p>While it writes, a {@link LeaseHeartbeat} keeps the claim's lease alive. What it reads is the
 * notified generation and nothing else, checked against the notification's size and checksum.
 * FileIO renames whatever this sink wrote into place, so when the read goes wrong in a way no retry
 * mends, the sink writes what keeps the output as it was and tells the settlement (in the claim's
 * Redis record): a generation that vanished after it was found gets the current output's own bytes
 * (or, with no output yet, an empty file the settlement deletes); content that is not the notified
 * generation's is noted as changed and never announced as complete.
 *
 * <p>FileIO opens one sink per destination, and the destination is the claim itself, so a sink sees
 * one generation. Should FileIO hand it the same claim twice in one pane, the second copy is
 * ignored: appending it would write the content twice.
 */
final class RewritingSink implements FileIO.Sink<Claim> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RewritingSink.class);

  /** What the sink notes when it finds the source gone or not as notified. */
  static final String VANISHED_PRESERVED = "vanished:preserved";

  static final String VANISHED_EMPTY = "vanished:empty";
  static final String CHANGED = "changed:";

  private final TokenRewriter rewriter;
  private final ObjectLocations locations;
  private final GenerationSource sources;
  private final RedisSettings redis;
  private final ClaimSettings claimSettings;
  private transient @Nullable WritableByteChannel channel;
  private transient @Nullable Claim written;

  RewritingSink(
      TokenRewriter rewriter,
      ObjectLocations locations,
      GenerationSource sources,
      RedisSettings redis,
      ClaimSettings claimSettings) {
    this.rewriter = rewriter;
    this.locations = locations;
    this.sources = sources;
    this.redis = redis;
    this.claimSettings = claimSettings;
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
    try (ClaimStore store = ClaimStore.forPipeline(redis);
        LeaseHeartbeat heartbeat = LeaseHeartbeat.start(store, claim, claimSettings.lease())) {
      write(claim, out, store);
      PipelineMetrics.LEASES_RENEWED.inc(heartbeat.renewals());
      if (heartbeat.lost()) {
        PipelineMetrics.CLAIMS_LOST.inc();
      }
    }
  }

  private void write(Claim claim, WritableByteChannel out, ClaimStore store) throws IOException {
    GcsNotification n = claim.notification();
    ReadableByteChannel in = SourceProbe.openUnlessMissing(() -> sources.open(n));
    if (in == null) {
      vanished(claim, out, store);
      return;
    }
    RewriteStats stats;
    String mismatch;
    try (VerifyingChannel source = new VerifyingChannel(in, n)) {
      stats = rewriter.rewrite(source, out);
      mismatch = source.mismatch();
    }
    if (mismatch != null) {
      PipelineMetrics.SOURCE_CHANGED.inc();
      LOG.warn("Read {}, but not as notified: {}", n.generationKey(), mismatch);
      store.recordReadResult(claim.notification(), CHANGED + mismatch, claimSettings.retention());
      return;
    }
    PipelineMetrics.WRITTEN.inc();
    PipelineMetrics.BYTES_IN.inc(stats.bytesIn());
    PipelineMetrics.BYTES_OUT.inc(stats.bytesOut());
    PipelineMetrics.REPLACEMENTS.inc(stats.replacements());
    LOG.info(
        "Rewrote {} to a temporary file ({} bytes in, {} bytes out, {} replacements)",
        n.generationKey(),
        stats.bytesIn(),
        stats.bytesOut(),
        stats.replacements());
  }

  /**
   * The generation was there when it was located and is gone now (overwritten, deleted). FileIO
   * will put whatever this writes in place of the output, so write the output's own current bytes.
   */
  private void vanished(Claim claim, WritableByteChannel out, ClaimStore store) throws IOException {
    PipelineMetrics.SOURCE_VANISHED.inc();
    String output =
        locations.outputSpec(claim.notification().bucket(), claim.notification().objectId());
    ReadableByteChannel current =
        SourceProbe.openUnlessMissing(
            () -> FileSystems.open(FileSystems.matchNewResource(output, false)));
    if (current == null) {
      LOG.warn(
          "{} vanished before it was read, and there is no output yet: the empty file left in"
              + " its place is removed at settlement",
          claim.generationKey());
      store.recordReadResult(claim.notification(), VANISHED_EMPTY, claimSettings.retention());
      return;
    }
    try (ReadableByteChannel copy = current) {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      while (copy.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        buffer.clear();
      }
    }
    LOG.warn("{} vanished before it was read: its output is kept as it was", claim.generationKey());
    store.recordReadResult(claim.notification(), VANISHED_PRESERVED, claimSettings.retention());
  }

  @Override
  public void flush() {
    // The rewriter flushes its own buffer before returning; FileIO closes the channel.
  }
}
