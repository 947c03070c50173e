package dev.gcsrewrite.claim;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What Redis decided about one generation.
 *
 * @param outcome the decision
 * @param owner the other owner (ELSEWHERE, BEHIND, a takeover's previous owner, DUPLICATE's
 *     settler), or ""
 * @param leaseUntilMillis when the other owner's lease ends (ELSEWHERE, BEHIND), else 0
 * @param detail the settled state (DUPLICATE), the newer generation (SUPERSEDED), the older
 *     generation in flight (BEHIND), or why Redis could not decide (FAILED)
 * @param token the claim's fencing token (CLAIMED, REENTRANT), else 0
 * @param settled what the settled record says (DUPLICATE), else null
 */
public record ClaimDecision(
    ClaimOutcome outcome,
    String owner,
    long leaseUntilMillis,
    @Nullable String detail,
    long token,
    @Nullable Settled settled) {

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
      String detail = reply.get(3);
      return new Settled(
          reply.get(1),
          completed ? detail : null,
          completed ? null : detail,
          reply.size() > 4 && !reply.get(4).isEmpty(),
          reply.size() > 5 ? number(reply.get(5), 0) : 0,
          reply.size() > 6 ? number(reply.get(6), -1) : -1,
          reply.size() > 7 ? number(reply.get(7), 0) : 0);
    }

    private static long number(String text, long unset) {
      return text.isEmpty() ? unset : Long.parseLong(text);
    }
  }

  /** Redis could not decide this generation because of its own record: see {@code detail}. */
  static ClaimDecision failed(String error) {
    return new ClaimDecision(ClaimOutcome.FAILED, "", 0, error, 0, null);
  }

  /** Reads the script's reply. */
  static ClaimDecision fromReply(List<String> reply) {
    ClaimOutcome outcome = ClaimOutcome.valueOf(reply.get(0));
    return switch (outcome) {
      case CLAIMED ->
          new ClaimDecision(outcome, reply.get(2), 0, null, Long.parseLong(reply.get(1)), null);
      case REENTRANT -> new ClaimDecision(outcome, "", 0, null, Long.parseLong(reply.get(1)), null);
      case DUPLICATE ->
          new ClaimDecision(outcome, reply.get(2), 0, reply.get(1), 0, Settled.fromReply(reply));
      case SUPERSEDED -> new ClaimDecision(outcome, "", 0, reply.get(1), 0, null);
      case ELSEWHERE ->
          new ClaimDecision(outcome, reply.get(1), Long.parseLong(reply.get(2)), null, 0, null);
      case BEHIND ->
          new ClaimDecision(
              outcome, reply.get(2), Long.parseLong(reply.get(3)), reply.get(1), 0, null);
      case FAILED -> throw new IllegalArgumentException("the claim script never fails a claim");
    };
  }
}
