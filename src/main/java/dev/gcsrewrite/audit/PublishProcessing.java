package dev.gcsrewrite.audit;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.ObjectLocations;
import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * Step {@code PublishProcessing}: announces on the {@code processing} topic each generation the
 * pipeline has taken on. Returns the published messages so that tests can assert on them.
 */
public final class PublishProcessing
    extends PTransform<PCollection<GcsNotification>, PCollection<PubsubMessage>> {
  private final String topic;
  private final TopicWriter writer;
  private final String jobName;
  private final ObjectLocations locations;

  public PublishProcessing(
      String topic, TopicWriter writer, String jobName, ObjectLocations locations) {
    this.topic = topic;
    this.writer = writer;
    this.jobName = jobName;
    this.locations = locations;
  }

  @Override
  public PCollection<PubsubMessage> expand(PCollection<GcsNotification> claimed) {
    PCollection<PubsubMessage> messages =
        claimed
            .apply("ToEvents", ParDo.of(new ProcessingEventFn(jobName, locations)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    messages.apply("Publish", writer.to(topic));
    return messages;
  }

  /** Makes the {@code processing} event of one generation. */
  static final class ProcessingEventFn extends DoFn<GcsNotification, PubsubMessage> {
    private final String jobName;
    private final ObjectLocations locations;

    ProcessingEventFn(String jobName, ObjectLocations locations) {
      this.jobName = jobName;
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element GcsNotification notification, OutputReceiver<PubsubMessage> out) {
      AuditEvent event =
          new AuditEvent(
              AuditEvent.PROCESSING,
              notification,
              jobName,
              locations.sourceSpec(notification),
              null,
              null,
              null,
              Instant.now());
      PipelineMetrics.auditEvents(AuditEvent.PROCESSING).inc();
      out.output(event.toPubsubMessage());
    }
  }
}
