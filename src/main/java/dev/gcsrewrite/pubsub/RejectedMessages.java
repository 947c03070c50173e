package dev.gcsrewrite.pubsub;

import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for a message Beam's Pub/Sub writer refuses: logged at ERROR with the reason and
 * the start of the message, and counted in {@code unpublishableMessages}, so that an operator sees
 * it while the job goes on with every other message.
 */
final class RejectedMessages extends PTransform<PCollection<BadRecord>, PDone> {
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

  /** One ERROR line per refused message. */
  static final class LogFn extends DoFn<BadRecord, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedMessages.class);
    private static final int SHOWN_CHARS = 500;
    private final String topic;

    LogFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void process(@Element BadRecord refused) {
      PipelineMetrics.UNPUBLISHABLE.inc();
      String record = String.valueOf(refused.getRecord().getHumanReadableJsonRecord());
      LOG.error(
          "Pub/Sub writer refused a message for {}: {} ({}); message: {}",
          topic,
          refused.getFailure().getDescription(),
          firstLine(refused.getFailure().getException()),
          record.length() > SHOWN_CHARS ? record.substring(0, SHOWN_CHARS) + "..." : record);
    }

    private static String firstLine(String text) {
      if (text == null) {
        return "";
      }
      int newline = text.indexOf('\n');
      return newline < 0 ? text : text.substring(0, newline);
    }
  }
}
