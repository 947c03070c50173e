package dev.gcsrewrite.redis;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the claim script decided about one generation: the reply of {@link ClaimStore#claim}.
 *
 * @param owner the other job: the holder (the two waits), the previous owner of a taken-over claim
 *     ({@code CLAIMED}), the settler ({@code DUPLICATE}); else ""
 * @param leaseUntilMillis when the holder's lease ends, by Redis's clock (the two waits); else 0
 * @param detail the settled state ({@code DUPLICATE}), the newer generation ({@code SUPERSEDED}),
 *     the older one in flight ({@code OLDER_IN_FLIGHT}), why Redis could not decide ({@code
 *     FAILED}); else null
 * @param token the claim's fencing token ({@code CLAIMED}, {@code REENTRANT}); else 0
 * @param settled the settled record ({@code DUPLICATE}); else null
 */
public record ClaimDecision(
    Kind kind,
    String owner,
    long leaseUntilMillis,
    @Nullable String detail,
    long token,
    @Nullable Settled settled) {

  /**
   * The claim script's replies, tabled on {@link ClaimStore#claim}, and {@code FAILED}: this
   * generation's own record is unusable (a key of another type, a script error on it).
   */
  public enum Kind {
    CLAIMED,
    REENTRANT,
    DUPLICATE,
    SUPERSEDED,
    HELD_BY_ANOTHER_JOB,
    OLDER_IN_FLIGHT,
    FAILED
  }

  /**
   * A settled generation's record, as a repeat notification finds it: {@code detail} is the output
   * URI (COMPLETED) or the reason (SKIPPED); {@code token} the settling claim's; {@code
   * outputBytes} -1 and {@code settledAtMillis} 0 where the record has none.
   */
  public record Settled(
      String state,
      String detail,
      boolean announced,
      long token,
      long outputBytes,
      long settledAtMillis) {}

  static ClaimDecision failed(String error) {
    return new ClaimDecision(Kind.FAILED, "", 0, error, 0, null);
  }

  static ClaimDecision fromReply(List<String> reply) {
    Kind kind = Kind.valueOf(reply.get(0));
    return switch (kind) {
      case CLAIMED ->
          new ClaimDecision(kind, reply.get(2), 0, null, Long.parseLong(reply.get(1)), null);
      case REENTRANT -> new ClaimDecision(kind, "", 0, null, Long.parseLong(reply.get(1)), null);
      case DUPLICATE -> {
        Settled settled =
            new Settled(
                reply.get(1),
                reply.get(3),
                !reply.get(4).isEmpty(),
                number(reply, 5, 0),
                number(reply, 6, -1),
                number(reply, 7, 0));
        yield new ClaimDecision(kind, reply.get(2), 0, reply.get(1), 0, settled);
      }
      case SUPERSEDED -> new ClaimDecision(kind, "", 0, reply.get(1), 0, null);
      case HELD_BY_ANOTHER_JOB ->
          new ClaimDecision(kind, reply.get(1), Long.parseLong(reply.get(2)), null, 0, null);
      case OLDER_IN_FLIGHT ->
          new ClaimDecision(
              kind, reply.get(2), Long.parseLong(reply.get(3)), reply.get(1), 0, null);
      case FAILED -> throw new IllegalArgumentException("the claim script never fails a claim");
    };
  }

  /** The number at {@code index}, or {@code unset} where the record has none. */
  private static long number(List<String> reply, int index, long unset) {
    return reply.get(index).isEmpty() ? unset : Long.parseLong(reply.get(index));
  }
}
