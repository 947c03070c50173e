package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;

/**
 * Turns Pub/Sub messages into typed {@link GcsNotification}s with {@link NotificationParser}.
 *
 * <p>Outputs, as a {@link WithFailures.Result}:
 *
 * <ul>
 *   <li>{@code output()}: one notification per usable message, timestamped as it was published;
 *   <li>{@code failures()}: a {@link DeadLetter} for every other message, with the parser's error
 *       type, or the exception's for a parser bug. Input never makes it throw: a malformed message
 *       must not stop the pipeline.
 * </ul>
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<GcsNotification>, DeadLetter> parsed =
 *     messages.apply(ParseNotifications.STEP, new ParseNotifications());
 * deadLetters.addErrorCollection(parsed.failures());
 * }</pre>
 */
public final class ParseNotifications
    extends PTransform<
        PCollection<PubsubMessage>, WithFailures.Result<PCollection<GcsNotification>, DeadLetter>> {

  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "ParseNotifications";

  private static final TupleTag<GcsNotification> PARSED = new TupleTag<>("parsed") {};

  @Override
  public WithFailures.Result<PCollection<GcsNotification>, DeadLetter> expand(
      PCollection<PubsubMessage> messages) {
    PCollectionTuple results =
        messages.apply(
            "Parse",
            ParDo.of(new ParseFn()).withOutputTags(PARSED, TupleTagList.of(DeadLetter.TAG)));
    return DeadLetter.result(results, PARSED);
  }

  /** Parses one message; every exception becomes a dead letter. */
  static final class ParseFn extends DoFn<PubsubMessage, GcsNotification> {
    @ProcessElement
    public void process(
        @Element PubsubMessage message, @Timestamp Instant publishTime, MultiOutputReceiver out) {
      PipelineMetrics.RECEIVED.inc();
      OriginalMessage original = OriginalMessage.of(message);
      try {
        out.get(PARSED).output(NotificationParser.parse(original, publishTime));
        PipelineMetrics.PARSED.inc();
      } catch (NotificationException e) {
        out.get(DeadLetter.TAG)
            .output(new DeadLetter(original, STEP, e.errorType(), e.getMessage(), Instant.now()));
      } catch (RuntimeException e) {
        out.get(DeadLetter.TAG).output(Failures.unexpected(original, STEP, e));
      }
    }
  }
}
