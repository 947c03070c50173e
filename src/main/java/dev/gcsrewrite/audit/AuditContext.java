package dev.gcsrewrite.audit;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
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
  public AuditEvent processing(Claim claim) {
    GcsNotification notification = claim.notification();
    return new AuditEvent(
        AuditEvent.PROCESSING,
        notification,
        jobName,
        locations.sourceSpec(notification.bucket(), notification.objectId()),
        null,
        null,
        null,
        Instant.now());
  }

  /**
   * How the generation ended: {@code complete}, or {@code skipped} with the reason; or {@code
   * repaired}: its output was written again.
   */
  public AuditEvent outcome(Outcome outcome) {
    return new AuditEvent(
        switch (outcome.kind()) {
          case COMPLETE -> AuditEvent.COMPLETE;
          case SKIPPED -> AuditEvent.SKIPPED;
          case REPAIRED -> AuditEvent.REPAIRED;
        },
        outcome.notification(),
        jobName,
        locations.sourceSpec(outcome.notification().bucket(), outcome.notification().objectId()),
        outcome.outputUri(),
        outcome.outputBytes() >= 0 ? outcome.outputBytes() : null,
        outcome.reason(),
        Instant.now());
  }
}
