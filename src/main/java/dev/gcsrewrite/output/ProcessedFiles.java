package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileBasedSink;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The sink of FileIO's engine ({@code WriteFiles}) for the processed objects: one destination per
 * claim, named by {@link OutputNaming}, its bytes written by {@link RewritingSink}; temporary files
 * in {@code .temp-beam-*} under the output directory, as {@code FileIO.writeDynamic} puts them.
 *
 * <p>It is what {@code FileIO.writeDynamic().via(sink).withNaming(naming)} builds inside, made here
 * because FileIO does not take a sharding function and {@code WriteFiles} does (see {@link
 * WriteProcessedObjects}): the temporary files, the rename into place and the results are FileIO's
 * own.
 */
final class ProcessedFiles extends FileBasedSink<Claim, Claim, Claim> {
  private static final long serialVersionUID = 1L;
  private final RewritingSink sinks;

  /**
   * Outputs in {@code locations}' output directory, each written by a fresh copy of {@code sinks}.
   */
  ProcessedFiles(ObjectLocations locations, RewritingSink sinks) {
    super(
        StaticValueProvider.of(FileSystems.matchNewResource(locations.outputDirectory(), true)),
        new EachClaim(locations),
        Compression.UNCOMPRESSED);
    this.sinks = sinks;
  }

  @Override
  public WriteOperation<Claim, Claim> createWriteOperation() {
    return new WriteOperation<>(this) {
      @Override
      public Writer<Claim, Claim> createWriter() {
        return new ClaimWriter(this);
      }
    };
  }

  /**
   * Writes its destination's one claim through a {@link RewritingSink}, as FileIO's writer does.
   */
  private final class ClaimWriter extends Writer<Claim, Claim> {
    private @Nullable RewritingSink sink;

    ClaimWriter(WriteOperation<Claim, Claim> operation) {
      super(operation, "");
    }

    @Override
    protected void prepareWrite(WritableByteChannel channel) {
      RewritingSink opened = sinks.fresh();
      opened.open(channel);
      sink = opened;
    }

    @Override
    public void write(Claim claim) throws Exception {
      RewritingSink opened = sink;
      if (opened == null) {
        throw new IllegalStateException("write() before open()");
      }
      opened.write(claim);
    }

    @Override
    protected void finishWrite() {
      if (sink != null) {
        sink.flush();
      }
    }
  }

  /** Each claim is its own destination, its records itself, its file named after its object. */
  private static final class EachClaim extends DynamicDestinations<Claim, Claim, Claim> {
    private static final long serialVersionUID = 1L;
    private final ObjectLocations locations;

    EachClaim(ObjectLocations locations) {
      this.locations = locations;
    }

    @Override
    public Claim formatRecord(Claim record) {
      return record;
    }

    @Override
    public Claim getDestination(Claim element) {
      return element;
    }

    @Override
    public @Nullable Claim getDefaultDestination() {
      return null;
    }

    @Override
    public Coder<Claim> getDestinationCoder() {
      return ClaimCoder.of();
    }

    @Override
    public FilenamePolicy getFilenamePolicy(Claim destination) {
      GcsNotification n = destination.notification();
      return new OutputNaming(
          locations.outputDirectory(), locations.outputName(n.bucket(), n.objectId()));
    }
  }
}
