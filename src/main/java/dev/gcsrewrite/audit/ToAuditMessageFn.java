package dev.gcsrewrite.audit;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.pubsub.PubsubLimits;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Turns each element into its audit event's message, counting events by type. An event that could
 * not be published (it would break a Pub/Sub limit) becomes a dead letter of the notification it is
 * about instead: one bad event must not stop the pipeline, nor go missing unseen.
 */
final class ToAuditMessageFn<T> extends DoFn<T, PubsubMessage> {
  /** Error type of an event that cannot be published. */
  static final String UNPUBLISHABLE_EVENT = "UnpublishableEvent";

  static final TupleTag<PubsubMessage> EVENTS = new TupleTag<>("events") {};

  private final String step;
  private final SerializableFunction<T, AuditEvent> event;

  ToAuditMessageFn(String step, SerializableFunction<T, AuditEvent> event) {
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
      out.get(DeadLetter.TAG).output(Failures.unexpected(audit.notification().original(), step, e));
      return;
    }
    String problem = PubsubLimits.problem(message.getPayload(), message.getAttributeMap());
    if (problem != null) {
      out.get(DeadLetter.TAG)
          .output(
              new DeadLetter(
                  audit.notification().original(),
                  step,
                  UNPUBLISHABLE_EVENT,
                  "the " + audit.eventType() + " event cannot be published: " + problem,
                  Instant.now()));
      return;
    }
    PipelineMetrics.auditEvents(audit.eventType()).inc();
    out.get(EVENTS).output(message);
  }
}
