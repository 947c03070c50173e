package dev.gcsrewrite.output;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.joda.time.Instant;

/**
 * Work on a generation that failed for good after the generation was taken on: its claim must be
 * released before its notification goes to the dead-letter topic, so a fixed notification can be
 * processed at once.
 *
 * @param notification the notification the work was for
 * @param stage the step that gave up
 * @param errorType the dead letter's error type
 * @param errorMessage what went wrong
 * @param failedAt when the step gave up
 */
@DefaultCoder(FailedObjectCoder.class)
public record FailedObject(
    GcsNotification notification,
    String stage,
    String errorType,
    String errorMessage,
    Instant failedAt) {

  public DeadLetter toDeadLetter() {
    return new DeadLetter(notification.original(), stage, errorType, errorMessage, failedAt);
  }
}
