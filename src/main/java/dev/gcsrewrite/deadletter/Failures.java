package dev.gcsrewrite.deadletter;

import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an unexpected exception met while handling one element becomes that element's dead
 * letter: one element's defect costs that element, never the pipeline.
 */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);
  private static final int FRAMES_KEPT = 5;

  private Failures() {}

  /**
   * The dead letter of {@code original}, which {@code stage} failed on with {@code failure}:
   *
   * <ul>
   *   <li>its {@code errorType} is the exception's simple class name;
   *   <li>its {@code errorMessage} the exception's message and its first stack frames;
   *   <li>the whole stack goes to the worker log.
   * </ul>
   */
  public static DeadLetter unexpected(OriginalMessage original, String stage, Exception failure) {
    LOG.error(
        "{} failed on message {}; it goes to the dead-letter topic",
        stage,
        original.messageId(),
        failure);
    StringBuilder text =
        new StringBuilder(
            failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage());
    StackTraceElement[] frames = failure.getStackTrace();
    for (int i = 0; i < Math.min(frames.length, FRAMES_KEPT); i++) {
      text.append(i == 0 ? " | at " : " < ").append(frames[i]);
    }
    return new DeadLetter(
        original, stage, failure.getClass().getSimpleName(), text.toString(), Instant.now());
  }
}
