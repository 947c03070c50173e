package dev.gcsrewrite.audit;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.redis.RedisSettings;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Steps {@code PublishProcessing} and {@code PublishComplete}: announce on an audit topic what
 * became of each generation, one event per element, and return the published messages (for tests)
 * and a dead letter for each event that could not be published. The two steps differ only in what
 * they announce, so they are one composite made by {@link #processing} and {@link #complete}.
 *
 * @param <T> what an event is made from
 */
public final class PublishAuditEvents<T>
    extends PTransform<
        PCollectionList<T>, WithFailures.Result<PCollection<PubsubMessage>, DeadLetter>> {
  /** Stable step name of the processing events, used as their dead letters' errorStage. */
  public static final String PROCESSING = "PublishProcessing";

  /** Stable step name of the complete and skipped events, used as their dead letters' stage. */
  public static final String COMPLETE = "PublishComplete";

  private final String step;
  private final String topic;
  private final TopicWriter writer;
  private final SerializableFunction<T, AuditEvent> event;
  private final @Nullable RedisSettings recordIn;

  private PublishAuditEvents(
      String step,
      String topic,
      TopicWriter writer,
      SerializableFunction<T, AuditEvent> event,
      @Nullable RedisSettings recordIn) {
    this.step = step;
    this.topic = topic;
    this.writer = writer;
    this.event = event;
    this.recordIn = recordIn;
  }

  /** Announces on the processing topic each generation the pipeline has taken on. */
  public static PublishAuditEvents<Claim> processing(
      String topic, TopicWriter writer, AuditContext context) {
    return new PublishAuditEvents<>(PROCESSING, topic, writer, context::processing, null);
  }

  /**
   * Announces on the complete topic how each generation ended.
   *
   * <p>A {@code complete} event comes only from an output in its final place (FileIO's final
   * filenames, after the rename) whose claim is settled, so a consumer that reacts to it finds both
   * the file and the Redis record. A generation that ends without an output ends with a {@code
   * skipped} event on the same topic, with the reason: its source was gone ({@code sourceMissing}),
   * or a newer generation of the object was already completed ({@code superseded}). So a consumer
   * waiting for a generation's outcome always gets one. A repeat notification of a generation that
   * already has its outcome announces nothing more (it is counted in {@code duplicates}), unless
   * that outcome's event was never published.
   *
   * <p>Each event is recorded in {@code redis} as published once Pub/Sub has accepted it, so that a
   * crash or a cancel between settling and publishing loses no event: a settled generation without
   * that record is announced by its next notification (or reconcile) instead of being dropped.
   */
  public static PublishAuditEvents<Outcome> complete(
      String topic, TopicWriter writer, AuditContext context, RedisSettings redis) {
    return new PublishAuditEvents<>(COMPLETE, topic, writer, context::outcome, redis);
  }

  /** The step's stable name: apply it under this name. */
  public String step() {
    return step;
  }

  @Override
  public WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> expand(
      PCollectionList<T> inputs) {
    // One input needs no Flatten; several keep the step name they have had since the first release.
    PCollection<T> all =
        inputs.size() == 1 ? inputs.get(0) : inputs.apply("AllOutcomes", Flatten.pCollections());
    PCollectionTuple made =
        all.apply(
            "ToEvents",
            ParDo.of(new ToAuditMessageFn<>(step, event))
                .withOutputTags(ToAuditMessageFn.EVENTS, TupleTagList.of(DeadLetter.TAG)));
    WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> events =
        DeadLetter.result(made, ToAuditMessageFn.EVENTS);
    if (recordIn == null) {
      return WithFailures.Result.of(writer.publish(events.output(), topic), events.failures());
    }
    PCollection<PubsubMessage> published = writer.publishConfirmed(events.output(), topic);
    published.apply("RecordAnnouncements", ParDo.of(new RecordAnnouncements(recordIn)));
    return WithFailures.Result.of(published, events.failures());
  }
}
