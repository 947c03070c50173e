package dev.gcsrewrite.pubsub;

import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Publishes with Beam's Pub/Sub writer, whose refusals cannot stop the job; or, where the pipeline
 * must know that a message was published, with a publisher of its own ({@link #publishConfirmed}).
 *
 * <p>Every message the pipeline makes is checked against {@link PubsubLimits} before it gets here,
 * so Beam's writer should never refuse one. Should it all the same (a limit we do not know of), its
 * refusal goes to {@link RejectedMessages} instead of failing the bundle: failing would retry the
 * bundle forever (or end the job, on a runner that does not retry bundles), stopping every message
 * behind the one that cannot be published.
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

  /**
   * Publishes with {@link ConfirmedPublishFn}, which outputs each message after the service
   * accepted it: Beam's writer (and Dataflow's native sink) returns nothing to wait for.
   */
  @Override
  public PCollection<PubsubMessage> publishConfirmed(
      PCollection<PubsubMessage> messages, String topic) {
    return messages.apply("Publish", ParDo.of(new ConfirmedPublishFn(topic)));
  }
}
