package dev.gcsrewrite.redis;

import java.io.Serializable;
import java.util.List;
import org.joda.time.Duration;

/**
 * How one job claims generations: as whom, for how long, and whose live leases it need not wait
 * out.
 *
 * @param owner the job name: a bundle retried within the job finds its own claim, while another job
 *     (or a relaunch under a new name) waits for the lease to end
 * @param lease how long a claim holds unsettled; a dead worker's claim is free again after it
 * @param retention how long settled records and the latest completed generation are kept: how long
 *     duplicates are recognised across relaunches
 * @param stoppedOwners jobs known to be stopped (the reconcile command after a cancel), whose live
 *     leases are taken over at once, as if ended: should one still run, the takeover's new fencing
 *     token keeps the lock and repairs right
 */
public record ClaimSettings(
    String owner, Duration lease, Duration retention, List<String> stoppedOwners)
    implements Serializable {

  public ClaimSettings {
    stoppedOwners = List.copyOf(stoppedOwners);
    for (String stopped : stoppedOwners) {
      if (stopped.isEmpty() || stopped.contains(",")) {
        throw new IllegalArgumentException("'" + stopped + "' is not a job name");
      }
      if (stopped.equals(owner)) {
        throw new IllegalArgumentException(
            "the job itself (" + owner + ") cannot be one of the stopped jobs");
      }
    }
  }

  /** Settings that wait out every other owner's live lease. */
  public ClaimSettings(String owner, Duration lease, Duration retention) {
    this(owner, lease, retention, List.of());
  }
}
