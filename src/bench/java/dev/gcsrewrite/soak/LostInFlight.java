package dev.gcsrewrite.soak;

import dev.gcsrewrite.soak.NotifiedGenerations.Generation;
import java.time.Instant;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The known limit of {@code docs/guarantee.md} ("Known limits", the Pub/Sub line), told apart from
 * a loss: Beam acknowledges a notification once it has checkpointed it, so a pipeline stopped
 * without draining takes the notifications it held with it, and the reconcile that follows settles
 * only the generations still current when it lists the bucket. A generation is lost that way, and
 * not by a fault of ours, when it was notified before such a stop, was replaced or deleted before
 * the reconcile ended, and left no trace at all: no Redis record and no event.
 */
final class LostInFlight {
  private final NotifiedGenerations notified;
  private final List<Faults.Kill> kills;

  LostInFlight(NotifiedGenerations notified, List<Faults.Kill> kills) {
    this.notified = notified;
    this.kills = List.copyOf(kills);
  }

  /**
   * The stop that took the generation with it, or null when it was not lost that way. {@code
   * traced}: whether any event names the generation.
   */
  Faults.@Nullable Kill by(RedisView redis, Generation generation, boolean traced) {
    if (traced || redis.record(generation.name(), generation.generation()) != null) {
      return null;
    }
    Instant ended = notified.endedAt(generation.name(), generation.generation());
    if (ended == null) {
      return null;
    }
    for (Faults.Kill kill : kills) {
      if (generation.notified().isBefore(kill.killed()) && ended.isBefore(kill.reconciled())) {
        return kill;
      }
    }
    return null;
  }
}
