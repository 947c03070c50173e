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
import java.util.Locale;
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
 * <p>FileIO renames whatever this sink wrote into place, and a sink has no way to end one element
 * otherwise than by failing the whole bundle (retried for ever on a streaming runner). So when the
 * read goes wrong in a way no retry mends, the sink writes what it can and tells the settlement in
 * the claim's Redis record, as {@code <found>:<left>[:<detail>]}:
 *
 * <ul>
 *   <li>found: {@code vanished} (the generation is gone: overwritten, deleted), {@code changed}
 *       (refused as changed mid-read) or {@code unreadable} (refused for good: a customer-supplied
 *       or disabled key, a permission; the detail says why, for the dead letter);
 *   <li>left, when nothing had reached the output yet: the current output's own bytes ({@code
 *       preserved}), or with no output yet nothing ({@code empty}, removed at settlement); else
 *       {@code partial}: part of the rewrite, which the settlement has replaced with the newest
 *       completed generation's output, or removed when there is none;
 *   <li>content read whole but not the notified generation's is noted as {@code changed:<how>} and
 *       never announced as complete.
 * </ul>
 *
 * <p>FileIO opens one sink per destination, and the destination is the claim itself, so a sink sees
 * one generation. Should FileIO hand it the same claim twice in one pane, the second copy is
 * ignored: appending it would write the content twice.
 */
final class RewritingSink implements FileIO.Sink<Claim> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RewritingSink.class);

  static final String CHANGED = "changed:";
  static final String PRESERVED = "preserved";
  static final String EMPTY = "empty";
  static final String PARTIAL = "partial";

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
      if (result.asNotified()) {
        RewriteStats stats = result.stats();
        PipelineMetrics.WRITTEN.inc();
        PipelineMetrics.BYTES_IN.inc(stats.bytesIn());
        PipelineMetrics.BYTES_OUT.inc(stats.bytesOut());
        PipelineMetrics.REPLACEMENTS.inc(stats.replacements());
        LOG.info("Rewrote {} to a temporary file: {}", n.generationKey(), stats);
        return;
      }
      store.recordReadResult(n, readResult(n, result, out), writer.claimSettings().retention());
    }
  }

  /** What the settlement is told of a read that went wrong, once the output holds what it can. */
  private String readResult(GcsNotification n, OutputWriter.Result result, WritableByteChannel out)
      throws IOException {
    if (result.read() == OutputWriter.Read.CHANGED && result.stats() != null) {
      // Read whole, not as notified: the writer said how.
      return CHANGED + result.detail();
    }
    String found = result.read().name().toLowerCase(Locale.ROOT);
    String left = result.wroteAny() ? PARTIAL : preserveOutput(n, out);
    LOG.warn(
        "{} {}{}: {}",
        n.generationKey(),
        found,
        result.detail().isEmpty() ? "" : " (" + result.detail() + ")",
        switch (left) {
          case PRESERVED -> "its output is kept as it was";
          case EMPTY -> "there is no output yet, and the empty file left in its place is removed";
          default ->
              "part of it was written, and is replaced by the newest completed output or"
                  + " removed at settlement";
        });
    return found + ":" + left + (result.detail().isEmpty() ? "" : ":" + result.detail());
  }

  /**
   * Nothing of the generation was written, and FileIO will put whatever this writes in place of the
   * output: write the output's own current bytes, if it has any.
   */
  private String preserveOutput(GcsNotification n, WritableByteChannel out) throws IOException {
    ReadableByteChannel current =
        SourceProbe.openUnlessMissing(
            () -> FileSystems.open(FileSystems.matchNewResource(writer.outputSpec(n), false)));
    if (current == null) {
      return EMPTY;
    }
    try (ReadableByteChannel copy = current) {
      Channels.newInputStream(copy).transferTo(Channels.newOutputStream(out));
    }
    return PRESERVED;
  }

  @Override
  public void flush() {
    // The rewriter flushes its own buffer before returning; FileIO closes the channel.
  }
}
