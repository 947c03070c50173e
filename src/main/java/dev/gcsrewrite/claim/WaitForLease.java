package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.work.Claim;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WaitForLease} in a bounded run (the reconcile command): keeps the bundle's waiting
 * generations and asks Redis about all of them again, in one round trip each time, until every one
 * is decided; the bundle finishes only then.
 *
 * <p>The streaming graph waits with a processing-time timer per generation instead. A bounded run
 * cannot rely on one: runners differ on when (or whether) processing-time timers fire once the
 * input is exhausted, and a generation dropped because another job was working on it would be a
 * generation reconcile never settles. Waiting inside the bundle is the same wait (0.5 s, doubling,
 * at most 30 s, never later than just after the holder's lease ends) on any runner.
 */
final class WaitInBundleFn extends BatchedRedisFn<KV<String, ParkedClaim>, Claim> {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimInRedis.class);

  private final ClaimSettings policy;

  WaitInBundleFn(RedisSettings redis, ClaimSettings policy) {
    super(redis);
    this.policy = policy;
  }

  @Override
  List<BatchedRedisFn.@Nullable Routed<?>> decide(
      ClaimStore store, List<KV<String, ParkedClaim>> batch) {
    List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
    List<Integer> pending = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    long leaseEnd = Long.MAX_VALUE;
    for (int i = 0; i < batch.size(); i++) {
      routes.add(null);
      ParkedClaim parked = batch.get(i).getValue();
      if (!keys.add(batch.get(i).getKey())) {
        // A second notification of a generation already waiting: the first stands for both.
        PipelineMetrics.DUPLICATES.inc();
        continue;
      }
      pending.add(i);
      leaseEnd = Math.min(leaseEnd, parked.leaseUntilMillis());
    }
    for (int times = 1; !pending.isEmpty(); times++) {
      pause(leaseEnd, times);
      List<GcsNotification> asking = new ArrayList<>(pending.size());
      for (int i : pending) {
        asking.add(batch.get(i).getValue().notification());
      }
      PipelineMetrics.REDIS_BATCHES.inc();
      List<ClaimDecision> decisions = store.claim(asking, policy);
      List<Integer> still = new ArrayList<>();
      leaseEnd = Long.MAX_VALUE;
      for (int j = 0; j < pending.size(); j++) {
        ClaimDecision decision = decisions.get(j);
        long until = ClaimInRedis.waitUntil(decision);
        if (until > 0) {
          still.add(pending.get(j));
          leaseEnd = Math.min(leaseEnd, until);
        } else {
          routes.set(pending.get(j), ClaimInRedis.route(asking.get(j), decision));
        }
      }
      if (!still.isEmpty()) {
        LOG.info(
            "{} generations still wait for another claim (asked {} times)", still.size(), times);
      }
      pending = still;
    }
    return routes;
  }

  @Override
  BatchedRedisFn.Routed<?> failed(KV<String, ParkedClaim> element, RuntimeException failure) {
    return BatchedRedisFn.Routed.to(
        DeadLetter.TAG,
        Failures.unexpected(
            element.getValue().notification().original(), ClaimInRedis.STEP, failure));
  }

  /** The {@code times}-th wait: as {@code WaitForLease} arms its timer. */
  private static void pause(long leaseUntilMillis, int times) {
    long untilLeaseEnd =
        Math.max(0, leaseUntilMillis - System.currentTimeMillis())
            + ClaimInRedis.WaitForLeaseFn.MARGIN.getMillis();
    long poll =
        Math.min(
            ClaimInRedis.WaitForLeaseFn.MAX_POLL.getMillis(),
            ClaimInRedis.WaitForLeaseFn.FIRST_POLL.getMillis() << Math.min(times - 1, 10));
    try {
      Thread.sleep(Math.min(untilLeaseEnd, poll));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a claim", e);
    }
  }
}
