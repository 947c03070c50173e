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
 */
public record ClaimDecision(
    ClaimOutcome outcome,
    String owner,
    long leaseUntilMillis,
    @Nullable String detail,
    long token) {

  /** Redis could not decide this generation because of its own record: see {@code detail}. */
  static ClaimDecision failed(String error) {
    return new ClaimDecision(ClaimOutcome.FAILED, "", 0, error, 0);
  }

  /** Reads the script's reply. */
  static ClaimDecision fromReply(List<String> reply) {
    ClaimOutcome outcome = ClaimOutcome.valueOf(reply.get(0));
    return switch (outcome) {
      case CLAIMED ->
          new ClaimDecision(outcome, reply.get(2), 0, null, Long.parseLong(reply.get(1)));
      case REENTRANT -> new ClaimDecision(outcome, "", 0, null, Long.parseLong(reply.get(1)));
      case DUPLICATE -> new ClaimDecision(outcome, reply.get(2), 0, reply.get(1), 0);
      case SUPERSEDED -> new ClaimDecision(outcome, "", 0, reply.get(1), 0);
      case ELSEWHERE ->
          new ClaimDecision(outcome, reply.get(1), Long.parseLong(reply.get(2)), null, 0);
      case BEHIND ->
          new ClaimDecision(outcome, reply.get(2), Long.parseLong(reply.get(3)), reply.get(1), 0);
      case FAILED -> throw new IllegalArgumentException("the claim script never fails a claim");
    };
  }
}
