package dev.gcsrewrite.deadletter;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every stage's dead letters to the dead-letter topic, counted and logged per stage.
 *
 * <p>Output: the published messages, in {@link DeadLetterMessages}' form, for tests to assert on.
 * Apply it through a {@link DeadLetterSink}, which checks that no failure output is left out.
 *
 * <pre>{@code
 * PCollection<PubsubMessage> published =
 *     PCollectionList.of(parseFailures).and(claimFailures)
 *         .apply("PublishDeadLetters", new PublishDeadLetters(topic, TopicWriter.pubsub()));
 * }</pre>
 */
public final class PublishDeadLetters
    extends PTransform<PCollectionList<DeadLetter>, PCollection<PubsubMessage>> {
  private final String topic;
  private final TopicWriter writer;

  public PublishDeadLetters(String topic, TopicWriter writer) {
    this.topic = topic;
    this.writer = writer;
  }

  @Override
  public PCollection<PubsubMessage> expand(PCollectionList<DeadLetter> failures) {
    PCollection<PubsubMessage> messages =
        failures
            .apply("AllFailures", Flatten.pCollections())
            .apply("ToMessages", ParDo.of(new ToMessageFn()));
    return writer.publish(messages, topic);
  }

  /** Formats, counts and logs each dead letter. */
  static final class ToMessageFn extends DoFn<DeadLetter, PubsubMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(PublishDeadLetters.class);

    @ProcessElement
    public void process(@Element DeadLetter deadLetter, OutputReceiver<PubsubMessage> out) {
      PipelineMetrics.DEAD_LETTERED.inc();
      PipelineMetrics.deadLetteredAt(deadLetter.errorStage()).inc();
      LOG.warn(
          "Dead-lettered message {} at {}: {}: {}",
          deadLetter.original().messageId(),
          deadLetter.errorStage(),
          deadLetter.errorType(),
          deadLetter.errorMessage());
      out.output(DeadLetterMessages.toPubsubMessage(deadLetter));
    }
  }
}
