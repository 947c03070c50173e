package dev.gcsrewrite.testing;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import java.util.List;
import org.joda.time.Duration;

/** Claims made and settled by a test, as an earlier run or another job would have. */
public final class ClaimFixtures {
  private ClaimFixtures() {}

  /** Claim settings for job {@code owner}: a lease of ten minutes, records kept for a week. */
  public static ClaimSettings owner(String owner) {
    return owner(owner, Duration.standardMinutes(10));
  }

  /** Claim settings for job {@code owner} with leases of {@code lease}, records kept for a week. */
  public static ClaimSettings owner(String owner, Duration lease) {
    return new ClaimSettings(owner, lease, Duration.standardDays(7));
  }

  /** Claims {@code n} for the owner of {@code claimSettings}; fails if it cannot be claimed. */
  public static Claim claim(ClaimStore store, GcsNotification n, ClaimSettings claimSettings) {
    ClaimDecision decision = store.claim(List.of(n), claimSettings).get(0);
    if (decision.kind() != ClaimDecision.Kind.CLAIMED
        && decision.kind() != ClaimDecision.Kind.REENTRANT) {
      throw new AssertionError("could not claim " + n.generationKey() + ": " + decision);
    }
    return new Claim(n, decision.token());
  }

  /**
   * Claims {@code n}, settles it COMPLETED with output {@code outputUri} and records its event as
   * published, as a finished earlier run leaves it.
   */
  public static Claim complete(
      ClaimStore store, GcsNotification n, ClaimSettings claimSettings, String outputUri) {
    Claim claim = completeUnannounced(store, n, claimSettings, outputUri);
    announced(store, n);
    return claim;
  }

  /**
   * Claims {@code n} and settles it COMPLETED, but records no published event: what a run that died
   * between settling and publishing leaves.
   */
  public static Claim completeUnannounced(
      ClaimStore store, GcsNotification n, ClaimSettings claimSettings, String outputUri) {
    Claim claim = claim(store, n, claimSettings);
    store.settle(List.of(Outcome.complete(claim, outputUri, 3)), claimSettings);
    return claim;
  }

  /** Claims {@code n}, settles it SKIPPED for {@code reason} and records its event as published. */
  public static Claim skip(
      ClaimStore store, GcsNotification n, ClaimSettings claimSettings, String reason) {
    Claim claim = claim(store, n, claimSettings);
    store.settle(List.of(Outcome.skipped(claim, reason)), claimSettings);
    announced(store, n);
    return claim;
  }

  private static void announced(ClaimStore store, GcsNotification n) {
    store.announce(
        List.of(store.keys().generation(n.bucket(), n.objectId(), n.generation())),
        System.currentTimeMillis());
  }
}
