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
 * Step {@code ParseNotifications}: Pub/Sub messages in, typed {@link GcsNotification}s out, and a
 * dead letter for every message that is not a usable notification. Never throws on input: a
 * malformed message must not stop the pipeline.
 */
public final class ParseNotifications
    extends PTransform<
        PCollection<PubsubMessage>, WithFailures.Result<PCollection<GcsNotification>, DeadLetter>> {

  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "ParseNotifications";

  static final TupleTag<GcsNotification> PARSED = new TupleTag<>("parsed") {};

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
        // A parser bug must cost one message, not the pipeline.
        out.get(DeadLetter.TAG).output(Failures.unexpected(original, STEP, e));
      }
    }
  }
}
