package dev.gcsrewrite.output;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.redis.ClaimStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a claim's lease alive while its object is being written: renews it every third of a lease
 * until closed, so a write that outlasts many leases keeps its claim, while a dead worker's lease
 * ends as before. A claim lost all the same (the lease ran out while Redis was unreachable and
 * another claim took the object) stops the heartbeat with a warning; settlement sorts out the rest.
 */
final class LeaseHeartbeat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);
  private static final ScheduledExecutorService BEATS =
      Executors.newScheduledThreadPool(
          2,
          runnable -> {
            Thread thread = new Thread(runnable, "gcs-rewrite-lease-heartbeat");
            thread.setDaemon(true);
            return thread;
          });

  private final ClaimStore store;
  private final ClaimStore.Held claim;
  private final Duration lease;
  private final AtomicInteger renewals = new AtomicInteger();
  private final AtomicBoolean lost = new AtomicBoolean();
  private final ScheduledFuture<?> beat;

  /** Starts renewing {@code claim}'s lease of {@code lease} until {@link #close}. */
  LeaseHeartbeat(ClaimStore store, ClaimStore.Held claim, Duration lease) {
    this.store = store;
    this.claim = claim;
    this.lease = lease;
    long period = Math.max(1, lease.getMillis() / 3);
    this.beat = BEATS.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      if (store.renew(claim, lease)) {
        renewals.incrementAndGet();
      } else if (!lost.getAndSet(true)) {
        LOG.warn(
            "Lost the claim on {} while writing it: its lease ended and another claim took the"
                + " object; the settlement will put the newest generation's output back",
            claim.notification().generationKey());
        beat.cancel(false);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not renew the lease of {}: {}",
          claim.notification().generationKey(),
          e.toString());
    }
  }

  /** Stops renewing, and counts (on the caller's thread, where Beam's metrics live) what it did. */
  @Override
  public void close() {
    // Interrupts a renewal waiting out a Redis outage: the write it was for is over.
    beat.cancel(true);
    PipelineMetrics.LEASES_RENEWED.inc(renewals.get());
    if (lost.get()) {
      PipelineMetrics.CLAIMS_LOST.inc();
    }
  }
}
