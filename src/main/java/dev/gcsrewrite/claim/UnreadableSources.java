package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.notification.GcsNotification;
import org.joda.time.Instant;

/**
 * The one dead letter of a source that exists but can never be read (a denied permission, a
 * customer-supplied encryption key, a disabled or destroyed Cloud KMS key), whichever step finds
 * it: the lookup in {@code WriteProcessedObjects}, or the sink's read there, whose finding reaches
 * {@link CompleteClaims} through the generation's Redis record (a sink cannot output a dead
 * letter). Both name the stage that reads sources, so an operator sees one kind of failure, in one
 * place.
 */
public final class UnreadableSources {
  /** Error type of a source that exists but can never be read. */
  public static final String ERROR_TYPE = "SourceUnreadable";

  /** The stage named in its dead letters: {@code WriteProcessedObjects}, where sources are read. */
  public static final String STAGE = "WriteProcessedObjects";

  private UnreadableSources() {}

  /** The dead letter of {@code n}, whose source cannot be read: {@code why} says which and why. */
  public static DeadLetter deadLetter(GcsNotification n, String why) {
    return new DeadLetter(n.original(), STAGE, ERROR_TYPE, why, Instant.now());
  }
}
