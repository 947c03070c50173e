package dev.gcsrewrite.redis;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the claim script decided about one generation: the reply of {@link ClaimStore#claim}.
 *
 * @param kind the decision
 * @param owner the other job: the holder ({@link Kind#HELD_BY_ANOTHER_JOB}, {@link
 *     Kind#OLDER_IN_FLIGHT}), the previous owner of a taken-over claim ({@link Kind#CLAIMED}), the
 *     settler ({@link Kind#DUPLICATE}); else ""
 * @param leaseUntilMillis when the holder's lease ends, by Redis's clock, for the two waits; else 0
 * @param detail the settled state ({@link Kind#DUPLICATE}), the newer generation ({@link
 *     Kind#SUPERSEDED}), the older generation in flight ({@link Kind#OLDER_IN_FLIGHT}), or why
 *     Redis could not decide ({@link Kind#FAILED}); else null
 * @param token the claim's fencing token ({@link Kind#CLAIMED}, {@link Kind#REENTRANT}); else 0
 * @param settled what the settled record says ({@link Kind#DUPLICATE}); else null
 */
public record ClaimDecision(
    Kind kind,
    String owner,
    long leaseUntilMillis,
    @Nullable String detail,
    long token,
    @Nullable Settled settled) {

  /** The decisions; the first two go on with the work, the two waits ask again later. */
  public enum Kind {
    /** No live claim: this job holds it now. */
    CLAIMED,
    /** This job held it already (a retried bundle). */
    REENTRANT,
    /** Settled already (COMPLETED or SKIPPED). */
    DUPLICATE,
    /** A newer generation of the object is completed, or was claimed. */
    SUPERSEDED,
    /** Another job's lease on this generation is live: wait for it to end. */
    HELD_BY_ANOTHER_JOB,
    /** An older generation of the object is in flight: wait, so that the newer one lands last. */
    OLDER_IN_FLIGHT,
    /** This generation's own record is unusable (a key of another type, a script error on it). */
    FAILED;

    /** Whether the work goes on with this job. */
    public boolean proceeds() {
      return this == CLAIMED || this == REENTRANT;
    }
  }

  /**
   * A settled generation's record, as a repeat notification finds it.
   *
   * @param state COMPLETED or SKIPPED
   * @param outputUri the output (COMPLETED), else null
   * @param reason why it was skipped (SKIPPED), else null
   * @param announced whether its complete or skipped event was published
   * @param token the token of the claim it was settled under
   * @param outputBytes the output's size, or -1 when not recorded
   * @param settledAtMillis when it was settled, or 0 when not recorded
   */
  public record Settled(
      String state,
      @Nullable String outputUri,
      @Nullable String reason,
      boolean announced,
      long token,
      long outputBytes,
      long settledAtMillis) {

    static Settled fromReply(List<String> reply) {
      boolean completed = reply.get(1).equals("COMPLETED");
      return new Settled(
          reply.get(1),
          completed ? reply.get(3) : null,
          completed ? null : reply.get(3),
          !reply.get(4).isEmpty(),
          number(reply.get(5), 0),
          number(reply.get(6), -1),
          number(reply.get(7), 0));
    }

    private static long number(String text, long unset) {
      return text.isEmpty() ? unset : Long.parseLong(text);
    }
  }

  static ClaimDecision failed(String error) {
    return new ClaimDecision(Kind.FAILED, "", 0, error, 0, null);
  }

  static ClaimDecision fromReply(List<String> reply) {
    Kind kind = Kind.valueOf(reply.get(0));
    return switch (kind) {
      case CLAIMED -> new ClaimDecision(kind, reply.get(2), 0, null, parse(reply, 1), null);
      case REENTRANT -> new ClaimDecision(kind, "", 0, null, parse(reply, 1), null);
      case DUPLICATE ->
          new ClaimDecision(kind, reply.get(2), 0, reply.get(1), 0, Settled.fromReply(reply));
      case SUPERSEDED -> new ClaimDecision(kind, "", 0, reply.get(1), 0, null);
      case HELD_BY_ANOTHER_JOB ->
          new ClaimDecision(kind, reply.get(1), parse(reply, 2), null, 0, null);
      case OLDER_IN_FLIGHT ->
          new ClaimDecision(kind, reply.get(2), parse(reply, 3), reply.get(1), 0, null);
      case FAILED -> throw new IllegalArgumentException("the claim script never fails a claim");
    };
  }

  private static long parse(List<String> reply, int index) {
    return Long.parseLong(reply.get(index));
  }
}
