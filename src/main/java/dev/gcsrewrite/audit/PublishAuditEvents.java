package dev.gcsrewrite.audit;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.pubsub.PubsubLimits;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.Objects;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Announces on an audit topic what became of each generation, one {@link AuditEvent} per element:
 * steps {@value #PROCESSING} ({@link #processing}) and {@value #COMPLETE} ({@link #complete}).
 *
 * <p>Outputs, as a {@link WithFailures.Result}:
 *
 * <ul>
 *   <li>{@code output()}: the published messages ({@link #complete}'s once Pub/Sub accepted each);
 *   <li>{@code failures()}: a {@link DeadLetter} of the notification for each event that cannot be
 *       published ({@value #UNPUBLISHABLE_EVENT}: it would break a Pub/Sub limit), so that one bad
 *       event neither stops the pipeline nor goes missing unseen.
 * </ul>
 *
 * <p>Settings: what is announced (the factory), the topic ({@link #to}, required) and the writer
 * ({@link #withWriter}; Beam's Pub/Sub writer unless a test observes instead).
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> processing =
 *     PCollectionList.of(claimed)
 *         .apply(PublishAuditEvents.PROCESSING, PublishAuditEvents.processing(audit).to(topic));
 * deadLetters.addErrorCollection(processing.failures());
 * }</pre>
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

  public static final String UNPUBLISHABLE_EVENT = "UnpublishableEvent";

  private static final TupleTag<PubsubMessage> EVENTS = new TupleTag<>("events") {};

  private final String step;
  private final SerializableFunction<T, AuditEvent> event;
  private final @Nullable RedisSettings recordIn;
  private final @Nullable String topic;
  private final TopicWriter writer;

  private PublishAuditEvents(
      String step,
      SerializableFunction<T, AuditEvent> event,
      @Nullable RedisSettings recordIn,
      @Nullable String topic,
      TopicWriter writer) {
    this.step = step;
    this.event = event;
    this.recordIn = recordIn;
    this.topic = topic;
    this.writer = writer;
  }

  /** Announces each generation the pipeline has taken on: a {@code processing} event. */
  public static PublishAuditEvents<Claim> processing(AuditContext context) {
    return new PublishAuditEvents<>(
        PROCESSING, context::processing, null, null, TopicWriter.pubsub());
  }

  /**
   * Announces how each generation ended, so that a consumer waiting for an outcome always gets one:
   *
   * <ul>
   *   <li>{@code complete} only from an output in its final place (FileIO's final filenames, after
   *       the rename) whose claim is settled: a consumer finds both the file and the Redis record;
   *   <li>{@code skipped}, with the reason, for a generation that ends without an output: its
   *       source was gone ({@code sourceMissing}) or a newer generation was completed ({@code
   *       superseded});
   *   <li>nothing more for a repeat notification of a generation that has its outcome (counted in
   *       {@code duplicates}), unless that outcome's event was never published.
   * </ul>
   *
   * <p>Each event is recorded in {@code redis} as published once Pub/Sub has accepted it, so a
   * crash or a cancel between settling and publishing loses no event: a settled generation without
   * that record is announced by its next notification (or reconcile) instead of being dropped.
   */
  public static PublishAuditEvents<Outcome> complete(AuditContext context, RedisSettings redis) {
    return new PublishAuditEvents<>(COMPLETE, context::outcome, redis, null, TopicWriter.pubsub());
  }

  /** Publishes to {@code topic}, {@code projects/<project>/topics/<name>}. */
  public PublishAuditEvents<T> to(String topic) {
    return new PublishAuditEvents<>(step, event, recordIn, topic, writer);
  }

  /** Publishes with {@code writer} instead of Beam's Pub/Sub writer. */
  public PublishAuditEvents<T> withWriter(TopicWriter writer) {
    return new PublishAuditEvents<>(step, event, recordIn, topic, writer);
  }

  @Override
  public WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> expand(
      PCollectionList<T> inputs) {
    String topic = Objects.requireNonNull(this.topic, step + " needs a topic: use to(topic)");
    // One input needs no Flatten; several keep the step name they have had since the first release.
    PCollection<T> all =
        inputs.size() == 1 ? inputs.get(0) : inputs.apply("AllOutcomes", Flatten.pCollections());
    PCollectionTuple made =
        all.apply(
            "ToEvents",
            ParDo.of(new ToMessageFn<>(step, event))
                .withOutputTags(EVENTS, TupleTagList.of(DeadLetter.TAG)));
    WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> events =
        DeadLetter.result(made, EVENTS);
    if (recordIn == null) {
      return WithFailures.Result.of(writer.publish(events.output(), topic), events.failures());
    }
    PCollection<PubsubMessage> published = writer.publishConfirmed(events.output(), topic);
    published.apply("RecordAnnouncements", ParDo.of(new RecordAnnouncements(recordIn)));
    return WithFailures.Result.of(published, events.failures());
  }

  /** Makes each element's event message, counted by type; an unpublishable one a dead letter. */
  static final class ToMessageFn<T> extends DoFn<T, PubsubMessage> {
    private final String step;
    private final SerializableFunction<T, AuditEvent> event;

    ToMessageFn(String step, SerializableFunction<T, AuditEvent> event) {
      this.step = step;
      this.event = event;
    }

    @ProcessElement
    public void process(@Element T element, MultiOutputReceiver out) {
      AuditEvent audit = event.apply(element);
      PubsubMessage message;
      try {
        message = audit.toPubsubMessage();
      } catch (RuntimeException e) {
        out.get(DeadLetter.TAG)
            .output(Failures.unexpected(audit.notification().original(), step, e));
        return;
      }
      String problem = PubsubLimits.problem(message.getPayload(), message.getAttributeMap());
      if (problem != null) {
        String reason = "the " + audit.eventType() + " event cannot be published: " + problem;
        out.get(DeadLetter.TAG)
            .output(
                new DeadLetter(
                    audit.notification().original(),
                    step,
                    UNPUBLISHABLE_EVENT,
                    reason,
                    Instant.now()));
        return;
      }
      PipelineMetrics.auditEvents(audit.eventType()).inc();
      if (AuditEvent.COMPLETE.equals(audit.eventType())) {
        PipelineMetrics.NOTIFICATION_TO_COMPLETE.update(audit.latencyMillis());
      }
      out.get(EVENTS).output(message);
    }
  }
}
