package dev.gcsrewrite.audit;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.work.Outcome;
import dev.gcsrewrite.work.OutcomeCoder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Step {@code PublishComplete}: announces on the {@code complete} topic how each generation ended.
 *
 * <p>A {@code complete} event comes only from an output in its final place (FileIO's final
 * filenames, after the rename) whose claim is settled, so a consumer that reacts to it finds both
 * the file and the Redis record. A generation that ends without an output ends with a {@code
 * skipped} event on the same topic, with the reason: its source was gone ({@code sourceMissing}),
 * or a newer generation of the object was already completed ({@code superseded}). So a consumer
 * waiting for a generation's outcome always gets one. A repeat notification of a generation that
 * already has its outcome announces nothing more (it is counted in {@code duplicates}). Returns the
 * published messages, and a dead letter for an event that could not be published.
 */
public final class PublishComplete
    extends PTransform<
        PCollectionList<Outcome>, WithFailures.Result<PCollection<PubsubMessage>, DeadLetter>> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "PublishComplete";

  private final String topic;
  private final TopicWriter writer;
  private final AuditContext context;

  public PublishComplete(String topic, TopicWriter writer, AuditContext context) {
    this.topic = topic;
    this.writer = writer;
    this.context = context;
  }

  @Override
  public WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> expand(
      PCollectionList<Outcome> outcomes) {
    PCollection<Outcome> all =
        outcomes.apply("AllOutcomes", Flatten.pCollections()).setCoder(OutcomeCoder.of());
    return ToAuditMessageFn.publish(all, STEP, context::outcome, topic, writer);
  }
}
