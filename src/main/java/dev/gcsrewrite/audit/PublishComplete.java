package dev.gcsrewrite.audit;

import dev.gcsrewrite.output.ProcessedObjects;
import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

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
  private final String topic;
  private final TopicWriter writer;
  private final AuditContext context;

  public PublishComplete(String topic, TopicWriter writer, AuditContext context) {
    this.topic = topic;
    this.writer = writer;
    this.context = context;
  }

  @Override
  public PCollection<PubsubMessage> expand(ProcessedObjects processed) {
    PCollection<PubsubMessage> complete =
        processed
            .written()
            .apply("CompleteEvents", ParDo.of(new ToAuditMessageFn<>(context::complete)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    PCollection<PubsubMessage> skipped =
        processed
            .sourceMissing()
            .apply("SkippedEvents", ParDo.of(new ToAuditMessageFn<>(context::sourceMissing)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    PCollection<PubsubMessage> events =
        PCollectionList.of(complete)
            .and(skipped)
            .apply("AllOutcomes", Flatten.pCollections())
            .setCoder(PubsubMessageWithAttributesCoder.of());
    return writer.publish(events, topic);
  }
}
