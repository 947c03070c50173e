package dev.gcsrewrite.redis;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What settling one generation found and did: the reply of {@link ClaimStore#settle}.
 *
 * @param settledNow true if this call settled it, false if it was settled already
 * @param state what the generation is now: COMPLETED, SKIPPED, or FAILED (its source could not be
 *     read: a dead letter, and claimable again by a replay)
 * @param detail the output URI (COMPLETED), the reason (SKIPPED) or why the source cannot be read
 *     (FAILED)
 * @param repair a generation whose output must be written again (a file renamed without the lock
 *     may have landed over it, or a partial one was), or null; settled now or not
 * @param cleanup whether the writer left an output where none was (empty, or part of a rewrite), to
 *     delete before the object's lock (kept for it) is released
 * @param error why Redis could not settle it (its record is unusable), or null
 */
public record Settlement(
    boolean settledNow,
    String state,
    String detail,
    @Nullable Long repair,
    boolean cleanup,
    @Nullable String error) {

  static Settlement failed(String error) {
    return new Settlement(false, "", "", null, false, error);
  }

  static Settlement fromReply(List<String> reply) {
    boolean now = reply.get(0).equals("SETTLED");
    String repair = reply.size() > 3 ? reply.get(3) : "";
    return new Settlement(
        now,
        reply.get(1),
        reply.get(2),
        repair.isEmpty() ? null : Long.parseLong(repair),
        now && reply.get(4).equals("1"),
        null);
  }

  public boolean failed() {
    return error != null;
  }

  public boolean completed() {
    return "COMPLETED".equals(state);
  }

  /**
   * Whether the writer found the source unreadable for good: the work failed, for a dead letter.
   */
  public boolean unreadable() {
    return "FAILED".equals(state);
  }
}
