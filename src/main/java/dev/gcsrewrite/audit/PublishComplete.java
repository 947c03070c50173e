package dev.gcsrewrite.audit;

import dev.gcsrewrite.output.Outcome;
import dev.gcsrewrite.output.OutcomeCoder;
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
 * <p>A {@code complete} event comes only from an output in its final place (FileIO's final
 * filenames, after the rename) whose claim is settled, so a consumer that reacts to it finds both
 * the file and the Redis record. A generation that ended without an output (its source was gone, or
 * a newer generation was already completed) ends with a {@code skipped} event on the same topic, so
 * a consumer waiting for an outcome always gets one. Returns the published messages.
 */
public final class PublishComplete
    extends PTransform<PCollectionList<Outcome>, PCollection<PubsubMessage>> {
  private final String topic;
  private final TopicWriter writer;
  private final AuditContext context;

  public PublishComplete(String topic, TopicWriter writer, AuditContext context) {
    this.topic = topic;
    this.writer = writer;
    this.context = context;
  }

  @Override
  public PCollection<PubsubMessage> expand(PCollectionList<Outcome> outcomes) {
    PCollection<PubsubMessage> events =
        outcomes
            .apply("AllOutcomes", Flatten.pCollections())
            .setCoder(OutcomeCoder.of())
            .apply("ToEvents", ParDo.of(new ToAuditMessageFn<>(context::outcome)))
            .setCoder(PubsubMessageWithAttributesCoder.of());
    return writer.publish(events, topic);
  }
}
