package dev.gcsrewrite.audit;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.ObjectLocations;
import dev.gcsrewrite.output.ProcessedObjects;
import dev.gcsrewrite.output.WrittenObject;
import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Instant;

/**
 * Step {@code PublishComplete}: announces on the {@code complete} topic how each generation ended.
 *
 * <p>A {@code complete} event is made only from FileIO's final filenames, which exist only after
 * the output has been renamed into place, so a consumer that reacts to it always finds the file. A
 * generation whose source had disappeared ends with a {@code skipped} event on the same topic, so a
 * consumer waiting for an outcome always gets one. Returns the published messages.
 */
public final class PublishComplete
    extends PTransform<ProcessedObjects, PCollection<PubsubMessage>> {
  /** The {@code reason} of a skipped event whose source no longer exists. */
  public static final String SOURCE_MISSING = "sourceMissing";

  private final String topic;
  private final TopicWriter writer;
  private final String jobName;
  private final ObjectLocations locations;

  public PublishComplete(
      String topic, TopicWriter writer, String jobName, ObjectLocations locations) {
    this.topic = topic;
    this.writer = writer;
    this.jobName = jobName;
    this.locations = locations;
  }

  @Override
  public PCollection<PubsubMessage> expand(ProcessedObjects processed) {
    PCollection<PubsubMessage> complete =
        processed
            .written()
            .apply("CompleteEvents", ParDo.of(new CompleteEventFn(jobName, locations)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    PCollection<PubsubMessage> skipped =
        processed
            .sourceMissing()
            .apply("SkippedEvents", ParDo.of(new SkippedEventFn(jobName, locations)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    PCollection<PubsubMessage> messages =
        PCollectionList.of(complete)
            .and(skipped)
            .apply("AllOutcomes", Flatten.pCollections())
            .setCoder(PubsubMessageWithAttributesCoder.of());
    messages.apply("Publish", writer.to(topic));
    return messages;
  }

  /** Makes the {@code complete} event of one output in its final place. */
  static final class CompleteEventFn extends DoFn<WrittenObject, PubsubMessage> {
    private final String jobName;
    private final ObjectLocations locations;

    CompleteEventFn(String jobName, ObjectLocations locations) {
      this.jobName = jobName;
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element WrittenObject written, OutputReceiver<PubsubMessage> out) {
      GcsNotification notification = written.notification();
      AuditEvent event =
          new AuditEvent(
              AuditEvent.COMPLETE,
              notification,
              jobName,
              locations.sourceSpec(notification),
              written.outputUri(),
              written.outputBytes(),
              null,
              Instant.now());
      PipelineMetrics.auditEvents(AuditEvent.COMPLETE).inc();
      out.output(event.toPubsubMessage());
    }
  }

  /** Makes the {@code skipped} event of a generation whose source was gone. */
  static final class SkippedEventFn extends DoFn<GcsNotification, PubsubMessage> {
    private final String jobName;
    private final ObjectLocations locations;

    SkippedEventFn(String jobName, ObjectLocations locations) {
      this.jobName = jobName;
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element GcsNotification notification, OutputReceiver<PubsubMessage> out) {
      AuditEvent event =
          new AuditEvent(
              AuditEvent.SKIPPED,
              notification,
              jobName,
              locations.sourceSpec(notification),
              null,
              null,
              SOURCE_MISSING,
              Instant.now());
      PipelineMetrics.auditEvents(AuditEvent.SKIPPED).inc();
      out.output(event.toPubsubMessage());
    }
  }
}
