package dev.gcsrewrite.deadletter;

import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an unexpected exception met while handling one element becomes that element's dead
 * letter: the exception's type, message and first stack frames in the dead letter, the whole stack
 * in the worker log. One element's defect costs that element, never the pipeline.
 */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  /** Stack frames kept in the dead letter's message. */
  static final int FRAMES_KEPT = 5;

  private Failures() {}

  /** The dead letter of {@code original}, which {@code stage} failed on with {@code failure}. */
  public static DeadLetter unexpected(OriginalMessage original, String stage, Exception failure) {
    LOG.error(
        "{} failed on message {}; it goes to the dead-letter topic",
        stage,
        original.messageId(),
        failure);
    return DeadLetter.fromException(original, stage, failure, Instant.now());
  }
}
