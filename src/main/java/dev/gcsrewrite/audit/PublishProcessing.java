package dev.gcsrewrite.audit;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.work.Claim;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;

/**
 * Step {@code PublishProcessing}: announces on the {@code processing} topic each generation the
 * pipeline has taken on. Returns the published messages so that tests can assert on them, and a
 * dead letter for an event that could not be published.
 */
public final class PublishProcessing
    extends PTransform<
        PCollection<Claim>, WithFailures.Result<PCollection<PubsubMessage>, DeadLetter>> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "PublishProcessing";

  private final String topic;
  private final TopicWriter writer;
  private final AuditContext context;

  public PublishProcessing(String topic, TopicWriter writer, AuditContext context) {
    this.topic = topic;
    this.writer = writer;
    this.context = context;
  }

  @Override
  public WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> expand(
      PCollection<Claim> claimed) {
    return ToAuditMessageFn.publish(claimed, STEP, context::processing, topic, writer);
  }
}
