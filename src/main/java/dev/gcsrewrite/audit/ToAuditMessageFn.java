package dev.gcsrewrite.audit;

import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;

/** Turns each element into its audit event's message, counting events by type. */
final class ToAuditMessageFn<T> extends DoFn<T, PubsubMessage> {
  private final SerializableFunction<T, AuditEvent> event;

  ToAuditMessageFn(SerializableFunction<T, AuditEvent> event) {
    this.event = event;
  }

  @ProcessElement
  public void process(@Element T element, OutputReceiver<PubsubMessage> out) {
    AuditEvent audit = event.apply(element);
    PipelineMetrics.auditEvents(audit.eventType()).inc();
    out.output(audit.toPubsubMessage());
  }
}
