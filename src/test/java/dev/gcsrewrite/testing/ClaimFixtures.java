package dev.gcsrewrite.testing;

import dev.gcsrewrite.claim.ClaimDecision;
import dev.gcsrewrite.claim.ClaimSettings;
import dev.gcsrewrite.claim.ClaimStore;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.work.Claim;
import dev.gcsrewrite.work.Outcome;
import java.util.List;

/** Claims made and settled by a test, as an earlier run or another job would have. */
public final class ClaimFixtures {
  private ClaimFixtures() {}

  /** Claims {@code n} for {@code policy}'s owner; fails if it cannot be claimed. */
  public static Claim claim(ClaimStore store, GcsNotification n, ClaimSettings policy) {
    ClaimDecision decision = store.claim(List.of(n), policy).get(0);
    if (!decision.outcome().proceeds()) {
      throw new AssertionError("could not claim " + n.generationKey() + ": " + decision);
    }
    return new Claim(n, decision.token());
  }

  /**
   * Claims {@code n}, settles it COMPLETED with output {@code outputUri} and records its event as
   * published, as a finished earlier run leaves it.
   */
  public static Claim complete(
      ClaimStore store, GcsNotification n, ClaimSettings policy, String outputUri) {
    Claim claim = completeUnannounced(store, n, policy, outputUri);
    announced(store, n);
    return claim;
  }

  /**
   * Claims {@code n} and settles it COMPLETED, but records no published event: what a run that died
   * between settling and publishing leaves.
   */
  public static Claim completeUnannounced(
      ClaimStore store, GcsNotification n, ClaimSettings policy, String outputUri) {
    Claim claim = claim(store, n, policy);
    store.settle(List.of(Outcome.complete(claim, outputUri, 3)), policy);
    return claim;
  }

  /** Claims {@code n}, settles it SKIPPED for {@code reason} and records its event as published. */
  public static Claim skip(
      ClaimStore store, GcsNotification n, ClaimSettings policy, String reason) {
    Claim claim = claim(store, n, policy);
    store.settle(List.of(Outcome.skipped(claim, reason)), policy);
    announced(store, n);
    return claim;
  }

  private static void announced(ClaimStore store, GcsNotification n) {
    store.announce(
        List.of(store.keys().generation(n.bucket(), n.objectId(), n.generation())),
        System.currentTimeMillis());
  }
}
