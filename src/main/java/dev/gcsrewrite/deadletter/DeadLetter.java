package dev.gcsrewrite.deadletter;

import dev.gcsrewrite.pubsub.PubsubLimits;
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

  /** Longest error message kept, in UTF-8 bytes; the published attribute is cut to 1024. */
  public static final int MAX_ERROR_MESSAGE_BYTES = 4000;

  /** The one output tag every stage uses for its failures. */
  public static final TupleTag<DeadLetter> TAG = new TupleTag<>("deadLetters") {};

  public DeadLetter {
    // Error messages end up in attributes and log lines: one line, bounded.
    String oneLine = errorMessage.replaceAll("\\p{Cntrl}+", " ").trim();
    errorMessage = PubsubLimits.truncateUtf8(oneLine, MAX_ERROR_MESSAGE_BYTES);
  }

  /**
   * A stage's result: its main output {@code main} from {@code outputs}, and its dead letters.
   * Every stage that can fail returns this pair, the Beam way ({@link WithFailures.Result}).
   */
  public static <T> WithFailures.Result<PCollection<T>, DeadLetter> result(
      PCollectionTuple outputs, TupleTag<T> main) {
    return WithFailures.Result.of(outputs.get(main), outputs.get(TAG));
  }
}
