package dev.gcsrewrite.claim;

/** The decisions the claim script makes about a generation. */
public enum ClaimOutcome {
  /** No live claim: this owner holds it now. */
  CLAIMED,
  /** This owner held it already (a retried bundle): go on. */
  REENTRANT,
  /** The generation is settled (COMPLETED or SKIPPED): drop. */
  DUPLICATE,
  /** A newer generation of the object is completed: drop. */
  SUPERSEDED,
  /** Another owner's lease on this generation is live: wait for it to end, then ask again. */
  ELSEWHERE,
  /**
   * An older generation of the object is in flight: wait until it is settled (or its lease ends),
   * so that the newer generation's output lands last.
   */
  BEHIND,
  /**
   * Redis could not decide because of this generation's own record (a key of the wrong type, a
   * script error on its values): dead-letter it rather than retry forever.
   */
  FAILED;

  /** Whether the work goes on with this owner. */
  public boolean proceeds() {
    return this == CLAIMED || this == REENTRANT;
  }
}
