package dev.gcsrewrite.output;

import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.rewrite.RewriteStats;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.BackOffUtils;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
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

  /** What reading a generation found. */
  enum Read {
    /** Its whole content, as its notification describes it. */
    AS_NOTIFIED,
    /** Gone (404): overwritten or deleted since it was located, maybe half-way through the read. */
    VANISHED,
    /** Not as notified: read whole but differing, or refused as changed (412) mid-read. */
    CHANGED,
    /**
     * Refused for good (400, 401, 403: a key, a permission), {@value OutputWriter#READ_TRIES}
     * times.
     */
    UNREADABLE
  }

  /**
   * How a write ended.
   *
   * @param read what reading the generation found
   * @param stats what the rewrite did, when the generation was read to its end; else null
   * @param detail how what was read differs from the notification (changed), or why the generation
   *     cannot be read (unreadable); else ""
   * @param wroteAny whether any of it reached the output channel, where it cannot be taken back
   */
  record Result(Read read, @Nullable RewriteStats stats, String detail, boolean wroteAny) {
    /** Whether what was written is the rewrite of the notified generation, as far as known. */
    boolean asNotified() {
      return read == Read.AS_NOTIFIED;
    }
  }

  /**
   * Tries of a read refused for good, while nothing reached the output: IAM changes take a moment.
   */
  static final int READ_TRIES = 3;

  private static final FluentBackoff UNREADABLE_RETRIES =
      FluentBackoff.DEFAULT.withInitialBackoff(Duration.millis(200)).withMaxRetries(READ_TRIES - 1);

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
  ClaimStore.Writing keepWhileWriting(ClaimStore store, ClaimStore.Held claim) {
    return store.keepWhileWriting(claim, claimSettings);
  }

  /**
   * Streams {@code n}'s generation, rewritten, into {@code out}. What the read finds (the
   * generation gone, changed or refused, even half-way through: Cloud Storage reads open lazily and
   * resume) is the result, never an exception, since FileIO's sink has no other way to end one
   * element; failures that may pass are thrown, for the runner to retry the bundle (and the output
   * afresh).
   */
  Result write(GcsNotification n, WritableByteChannel out) throws IOException {
    CountingChannel counted = new CountingChannel(out);
    BackOff backoff = UNREADABLE_RETRIES.backoff();
    while (true) {
      try {
        return rewrite(n, counted);
      } catch (IOException e) {
        SourceProbe.Outcome found = counted.failedWith(e) ? null : SourceProbe.classify(e);
        if (found == null) {
          throw e;
        }
        boolean wroteAny = counted.bytes() > 0;
        // Once bytes went out, a second try would write them twice.
        if (found == SourceProbe.Outcome.UNREADABLE && !wroteAny && nextTry(backoff)) {
          continue;
        }
        return notRead(n, found, SourceProbe.reason(e), wroteAny);
      }
    }
  }

  private Result rewrite(GcsNotification n, CountingChannel out) throws IOException {
    try (VerifyingChannel source = new VerifyingChannel(sources.open(n), n)) {
      RewriteStats stats = rewriter.rewrite(source, out);
      String mismatch = source.mismatch();
      if (mismatch == null) {
        return new Result(Read.AS_NOTIFIED, stats, "", out.bytes() > 0);
      }
      PipelineMetrics.SOURCE_CHANGED.inc();
      LOG.warn("Read {}, but not as notified: {}", n.generationKey(), mismatch);
      return new Result(Read.CHANGED, stats, mismatch, out.bytes() > 0);
    }
  }

  private Result notRead(
      GcsNotification n, SourceProbe.Outcome found, String reason, boolean wroteAny) {
    return switch (found) {
      case MISSING -> {
        PipelineMetrics.SOURCE_VANISHED.inc();
        yield new Result(Read.VANISHED, null, "", wroteAny);
      }
      case CHANGED -> {
        PipelineMetrics.SOURCE_CHANGED.inc();
        yield new Result(Read.CHANGED, null, "generation changed mid-read: " + reason, wroteAny);
      }
      default -> new Result(Read.UNREADABLE, null, cannotRead(n, reason), wroteAny);
    };
  }

  private static boolean nextTry(BackOff backoff) throws IOException {
    try {
      return BackOffUtils.next(Sleeper.DEFAULT, backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted between tries of a read");
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

  /**
   * Counts what reaches the output, which decides whether a failed read may be tried again, and
   * keeps the output's own failure apart from the source's: a 403 writing the output is not the
   * source's.
   */
  private static final class CountingChannel implements WritableByteChannel {
    private final WritableByteChannel out;
    private long bytes;
    private @Nullable IOException failure;

    CountingChannel(WritableByteChannel out) {
      this.out = out;
    }

    long bytes() {
      return bytes;
    }

    boolean failedWith(IOException e) {
      return e == failure;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      try {
        int written = out.write(source);
        bytes += written;
        return written;
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public boolean isOpen() {
      return out.isOpen();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
