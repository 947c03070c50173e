package dev.gcsrewrite.output;

import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.rewrite.RewriteStats;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FileIO sink that makes one output: it receives the reference to a source object and streams
 * source, token rewrite and FileIO's channel together, so an object of any size needs only the
 * rewriter's two fixed buffers and no content ever becomes a pipeline element.
 *
 * <p>FileIO opens one sink per destination, and the destination is the notification itself, so a
 * sink sees one object. Should FileIO hand it the same notification twice in one pane, the second
 * copy is ignored: appending it would write the content twice.
 */
final class RewritingSink implements FileIO.Sink<GcsNotification> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RewritingSink.class);

  private final TokenRewriter rewriter;
  private final ObjectLocations locations;
  private transient @Nullable WritableByteChannel channel;
  private transient @Nullable GcsNotification written;

  RewritingSink(TokenRewriter rewriter, ObjectLocations locations) {
    this.rewriter = rewriter;
    this.locations = locations;
  }

  @Override
  public void open(WritableByteChannel channel) {
    this.channel = channel;
  }

  @Override
  public void write(GcsNotification notification) throws IOException {
    if (written != null) {
      if (!written.equals(notification)) {
        throw new IllegalStateException(
            "FileIO gave one sink two objects: "
                + written.generationKey()
                + " and "
                + notification.generationKey());
      }
      LOG.info("Ignored a second copy of {} in one pane", notification.generationKey());
      return;
    }
    written = notification;
    WritableByteChannel out = channel;
    if (out == null) {
      throw new IllegalStateException("write() before open()");
    }
    ResourceId source = locations.source(notification.bucket(), notification.objectId());
    ReadableByteChannel in;
    try {
      in = FileSystems.open(source);
    } catch (IOException e) {
      if (SourceProbe.classify(e) != SourceProbe.Outcome.MISSING) {
        throw e;
      }
      // Deleted between LocateSources and now. FileIO has already created this output, so it
      // stays empty; failing instead would retry the bundle forever.
      PipelineMetrics.SOURCE_VANISHED.inc();
      LOG.warn(
          "Source {} of {} vanished before it was read; its output will be empty",
          source,
          notification.generationKey());
      return;
    }
    RewriteStats stats;
    try (ReadableByteChannel source0 = in) {
      stats = rewriter.rewrite(source0, out);
    }
    PipelineMetrics.WRITTEN.inc();
    PipelineMetrics.BYTES_IN.inc(stats.bytesIn());
    PipelineMetrics.BYTES_OUT.inc(stats.bytesOut());
    PipelineMetrics.REPLACEMENTS.inc(stats.replacements());
    LOG.info(
        "Rewrote {} to a temporary file ({} bytes in, {} bytes out, {} replacements)",
        notification.generationKey(),
        stats.bytesIn(),
        stats.bytesOut(),
        stats.replacements());
  }

  @Override
  public void flush() {
    // The rewriter flushes its own buffer before returning; FileIO closes the channel.
  }
}
