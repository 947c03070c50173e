package dev.gcsrewrite.audit;

import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.ObjectLocations;
import dev.gcsrewrite.output.WrittenObject;
import java.io.Serializable;
import org.joda.time.Instant;

/**
 * What every audit event of one job shares (the job name, where sources are read), and the one
 * place each kind of event is made from what the pipeline knows at that point.
 *
 * @param jobName the Beam job name
 * @param locations where sources are read and outputs written
 */
public record AuditContext(String jobName, ObjectLocations locations) implements Serializable {

  /** The generation has been taken on. */
  public AuditEvent processing(GcsNotification notification) {
    return event(AuditEvent.PROCESSING, notification, null, null, null);
  }

  /** The output is in its final place. */
  public AuditEvent complete(WrittenObject written) {
    return event(
        AuditEvent.COMPLETE,
        written.notification(),
        written.outputUri(),
        written.outputBytes(),
        null);
  }

  /** The source no longer existed, so nothing was written. */
  public AuditEvent sourceMissing(GcsNotification notification) {
    return event(AuditEvent.SKIPPED, notification, null, null, AuditEvent.SOURCE_MISSING);
  }

  private AuditEvent event(
      String type,
      GcsNotification notification,
      String outputUri,
      Long outputBytes,
      String reason) {
    return new AuditEvent(
        type,
        notification,
        jobName,
        locations.sourceSpec(notification),
        outputUri,
        outputBytes,
        reason,
        Instant.now());
  }
}
