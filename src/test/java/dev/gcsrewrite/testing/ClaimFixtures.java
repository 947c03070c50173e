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

  /** Claims {@code n} and settles it COMPLETED with output {@code outputUri}. */
  public static Claim complete(
      ClaimStore store, GcsNotification n, ClaimSettings policy, String outputUri) {
    Claim claim = claim(store, n, policy);
    store.settle(List.of(Outcome.complete(claim, outputUri, 3)), policy);
    return claim;
  }

  /** Claims {@code n} and settles it SKIPPED for {@code reason}. */
  public static Claim skip(
      ClaimStore store, GcsNotification n, ClaimSettings policy, String reason) {
    Claim claim = claim(store, n, policy);
    store.settle(List.of(Outcome.skipped(claim, reason)), policy);
    return claim;
  }
}
