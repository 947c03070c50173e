package dev.gcsrewrite.pubsub;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.util.Objects;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes with Beam's Pub/Sub writer or, where the pipeline must know that a message was
 * published, with {@link ConfirmedPublishFn}.
 *
 * <p>Messages are checked against {@link PubsubLimits} before they get here; should Beam's writer
 * refuse one all the same, {@link RejectedMessages} logs it instead of failing the bundle, which
 * would stop every message behind it.
 */
final class PubsubTopicWriter implements TopicWriter {
  private static final long serialVersionUID = 1L;

  @Override
  public PCollection<PubsubMessage> publish(PCollection<PubsubMessage> messages, String topic) {
    BadRecordErrorHandler<PDone> refused =
        messages.getPipeline().registerBadRecordErrorHandler(new RejectedMessages(topic));
    messages.apply("Publish", PubsubIO.writeMessages().to(topic).withErrorHandler(refused));
    refused.close();
    return messages;
  }

  /** Beam's writer (and Dataflow's native sink) returns nothing to wait for: our own publisher. */
  @Override
  public PCollection<PubsubMessage> publishConfirmed(
      PCollection<PubsubMessage> messages, String topic) {
    return messages.apply("Publish", ParDo.of(new ConfirmedPublishFn(topic)));
  }

  /**
   * The last resort for a message Beam's Pub/Sub writer refuses: logged at ERROR with the reason
   * and the start of the message, and counted in {@code unpublishableMessages}, so that an operator
   * sees it while the job goes on with every other message.
   */
  static final class RejectedMessages extends PTransform<PCollection<BadRecord>, PDone> {
    private final String topic;

    RejectedMessages(String topic) {
      super("LogRefusedMessages");
      this.topic = topic;
    }

    @Override
    public PDone expand(PCollection<BadRecord> refused) {
      refused.apply("Log", ParDo.of(new LogFn(topic)));
      return PDone.in(refused.getPipeline());
    }
  }

  /** One ERROR line per refused message. */
  static final class LogFn extends DoFn<BadRecord, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PubsubTopicWriter.class);
    private static final int SHOWN_CHARS = 500;
    private final String topic;

    LogFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void process(@Element BadRecord refused) {
      PipelineMetrics.UNPUBLISHABLE.inc();
      String record = String.valueOf(refused.getRecord().getHumanReadableJsonRecord());
      String exception = Objects.toString(refused.getFailure().getException(), "");
      LOG.error(
          "Pub/Sub writer refused a message for {}: {} ({}); message: {}",
          topic,
          refused.getFailure().getDescription(),
          exception.lines().findFirst().orElse(""),
          record.length() > SHOWN_CHARS ? record.substring(0, SHOWN_CHARS) + "..." : record);
    }
  }
}
