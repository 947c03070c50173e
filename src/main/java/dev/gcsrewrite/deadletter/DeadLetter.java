package dev.gcsrewrite.deadletter;

import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * A message the pipeline cannot handle, with the reason, on its way to the dead-letter topic.
 *
 * <p>Every stage that gives up on an element emits one of these on {@link #TAG} instead of
 * throwing, so that bad input never stops the pipeline and nothing is silently dropped.
 *
 * @param original the message as it arrived, republishable as it was
 * @param errorStage the pipeline step that gave up (its stable step name)
 * @param errorType a short machine-readable reason, e.g. {@code MalformedJson}
 * @param errorMessage a human-readable explanation (truncated when published)
 * @param failedAt when the stage gave up
 */
@DefaultCoder(DeadLetterCoder.class)
public record DeadLetter(
    OriginalMessage original,
    String errorStage,
    String errorType,
    String errorMessage,
    Instant failedAt) {

  /** Longest error message kept; the published attribute is cut further to Pub/Sub's limit. */
  public static final int MAX_ERROR_MESSAGE_CHARS = 4000;

  /** The one output tag every stage uses for its failures. */
  public static final TupleTag<DeadLetter> TAG = new TupleTag<>("deadLetters") {};

  public DeadLetter {
    // Error messages end up in attributes and log lines: one line, bounded.
    errorMessage = errorMessage.replaceAll("\\p{Cntrl}+", " ").trim();
    if (errorMessage.length() > MAX_ERROR_MESSAGE_CHARS) {
      int end = MAX_ERROR_MESSAGE_CHARS;
      if (Character.isHighSurrogate(errorMessage.charAt(end - 1))) {
        end--;
      }
      errorMessage = errorMessage.substring(0, end);
    }
  }

  /**
   * A stage's result: its main output {@code main} from {@code outputs}, and its dead letters.
   * Every stage that can fail returns this pair, the Beam way ({@link WithFailures.Result}).
   */
  public static <T> WithFailures.Result<PCollection<T>, DeadLetter> result(
      PCollectionTuple outputs, TupleTag<T> main) {
    return WithFailures.Result.of(outputs.get(main), outputs.get(TAG));
  }

  /**
   * A dead letter for an unexpected exception: the type is the exception's simple class name, the
   * message its own plus where it was thrown (the first few stack frames).
   */
  public static DeadLetter fromException(
      OriginalMessage original, String stage, Exception exception, Instant failedAt) {
    String message = exception.getMessage();
    StringBuilder text =
        new StringBuilder(message == null ? exception.getClass().getName() : message);
    StackTraceElement[] frames = exception.getStackTrace();
    for (int i = 0; i < Math.min(frames.length, Failures.FRAMES_KEPT); i++) {
      text.append(i == 0 ? " | at " : " < ").append(frames[i]);
    }
    return new DeadLetter(
        original, stage, exception.getClass().getSimpleName(), text.toString(), failedAt);
  }
}
