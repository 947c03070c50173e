package dev.gcsrewrite.local;

import java.io.IOException;

/**
 * Tells {@link LocalBucketNotifier} which object generations found at start were already processed,
 * so that a restarted local stack does not announce them again.
 *
 * <p>Without it, every file present at start is announced: right for a first start (files put there
 * before the stack ran are work too), wasteful but harmless after a restart, since the pipeline's
 * claims drop generations already done.
 */
@FunctionalInterface
public interface SettledGenerations {
  /** Settles nothing: every file present at start is announced. */
  SettledGenerations NONE = (bucket, objectId, generation) -> false;

  /**
   * Whether generation {@code generation} of {@code bucket}/{@code objectId} needs no notification.
   *
   * @throws IOException if it cannot tell; the notifier then announces the generation, since a
   *     needless notification is dropped downstream and a missing one is lost work
   */
  boolean isSettled(String bucket, String objectId, long generation) throws IOException;
}
