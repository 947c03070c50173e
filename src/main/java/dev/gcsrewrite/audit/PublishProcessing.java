package dev.gcsrewrite.audit;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Step {@code PublishProcessing}: announces on the {@code processing} topic each generation the
 * pipeline has taken on. Returns the published messages so that tests can assert on them.
 */
public final class PublishProcessing
    extends PTransform<PCollection<GcsNotification>, PCollection<PubsubMessage>> {
  private final String topic;
  private final TopicWriter writer;
  private final AuditContext context;

  public PublishProcessing(String topic, TopicWriter writer, AuditContext context) {
    this.topic = topic;
    this.writer = writer;
    this.context = context;
  }

  @Override
  public PCollection<PubsubMessage> expand(PCollection<GcsNotification> claimed) {
    PCollection<PubsubMessage> events =
        claimed
            .apply("ToEvents", ParDo.of(new ToAuditMessageFn<>(context::processing)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    return writer.publish(events, topic);
  }
}
