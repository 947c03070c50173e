package dev.gcsrewrite.output;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import dev.gcsrewrite.notification.GcsNotification;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.BackOffUtils;
import org.apache.beam.sdk.util.FluentBackoff;
import org.apache.beam.sdk.util.Sleeper;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Looks for the notified generation of a source, and tells a missing one (not an error: it was
 * overwritten or deleted after it was announced) from one that can never be read (a dead letter)
 * and from a failure that may pass (retried here, then left to the runner's bundle retry). The one
 * place where a failure to look up or read a source is sorted: {@link #classify}, and {@link
 * #reason} for what a dead letter says of it.
 *
 * <p>The lookup never matches names, which would interpret {@code *}, {@code ?} and {@code [} in
 * object names as wildcards: it is one metadata request for that generation on Cloud Storage, and
 * one file opened locally.
 */
final class SourceProbe {
  /** What a probe found. */
  enum Outcome {
    READABLE,
    MISSING,
    /** Cloud Storage refused a read's precondition (412): the source is not what the read began. */
    CHANGED,
    UNREADABLE
  }

  /** The result of a probe: an outcome, the size when known, and the reason when unreadable. */
  record Result(Outcome outcome, long sizeBytes, String reason) {}

  private static final FluentBackoff RETRIES =
      FluentBackoff.DEFAULT
          .withInitialBackoff(Duration.millis(200))
          .withMaxBackoff(Duration.standardSeconds(5))
          .withMaxRetries(5);

  private SourceProbe() {}

  /**
   * Probes the notified generation in {@code source}, retrying transient failures with backoff.
   *
   * @throws IOException if a transient failure outlasts the retries (the bundle is retried)
   */
  static Result probe(GenerationSource source, GcsNotification notification)
      throws IOException, InterruptedException {
    BackOff backoff = RETRIES.backoff();
    while (true) {
      try {
        return new Result(Outcome.READABLE, source.sizeOf(notification), "");
      } catch (IOException e) {
        Outcome outcome = classify(e);
        if (outcome != null) {
          return new Result(outcome, -1, reason(e));
        }
        if (!BackOffUtils.next(Sleeper.DEFAULT, backoff)) {
          throw e;
        }
      }
    }
  }

  /** The size of object {@code spec}, or -1 when it cannot be had in one attempt. */
  static long sizeOf(String spec) {
    try (ReadableByteChannel channel =
        FileSystems.open(FileSystems.matchNewResource(spec, false))) {
      return channel instanceof SeekableByteChannel seekable ? seekable.size() : -1;
    } catch (IOException | RuntimeException e) {
      // Only a figure for the audit event: not worth failing the element over.
      return -1;
    }
  }

  /** Opens a channel; what {@link #openUnlessMissing} is given. */
  interface Opening {
    ReadableByteChannel open() throws IOException;
  }

  /**
   * What {@code opening} opens, or null when it is missing (overwritten or deleted: for the caller
   * to handle, not an error); any other failure is thrown.
   */
  static @Nullable ReadableByteChannel openUnlessMissing(Opening opening) throws IOException {
    try {
      return opening.open();
    } catch (IOException e) {
      if (classify(e) != Outcome.MISSING) {
        throw e;
      }
      return null;
    }
  }

  /**
   * Classifies a failure to open or read a source: {@link Outcome#MISSING}, {@link
   * Outcome#CHANGED}, {@link Outcome#UNREADABLE} (permanent: a denied permission, a
   * customer-supplied encryption key, a disabled or destroyed Cloud KMS key, which Cloud Storage
   * answers with 400, 401 or 403), or null when it may pass and is worth retrying.
   */
  static @Nullable Outcome classify(IOException failure) {
    String message = String.valueOf(failure.getMessage());
    if (failure instanceof AccessDeniedException
        || failure instanceof NotDirectoryException
        // java.io reports a permission problem or a directory as "not found" too.
        || (failure instanceof FileNotFoundException
            && (message.endsWith("(Permission denied)") || message.endsWith("(Is a directory)")))) {
      return Outcome.UNREADABLE;
    }
    if (failure instanceof NoSuchFileException || failure instanceof FileNotFoundException) {
      return Outcome.MISSING;
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpResponseException http) {
        return switch (http.getStatusCode()) {
          case 404, 410 -> Outcome.MISSING;
          case 412 -> Outcome.CHANGED;
          case 400, 401, 403 -> Outcome.UNREADABLE;
          default -> null;
        };
      }
    }
    return null;
  }

  /**
   * What {@code failure} says, on one line: for a Cloud Storage error its status, its reason and
   * its message ({@code 400 resourceIsEncryptedWithCustomerEncryptionKey: ...}), which tell an
   * operator what to fix; otherwise the exception's message.
   */
  static String reason(IOException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof GoogleJsonResponseException json && json.getDetails() != null) {
        GoogleJsonError error = json.getDetails();
        String why =
            error.getErrors() == null || error.getErrors().isEmpty()
                ? ""
                : " " + error.getErrors().get(0).getReason();
        return json.getStatusCode() + why + ": " + error.getMessage();
      }
      if (cause instanceof HttpResponseException http) {
        return http.getStatusCode() + " " + http.getStatusMessage();
      }
    }
    return String.valueOf(failure.getMessage());
  }
}
