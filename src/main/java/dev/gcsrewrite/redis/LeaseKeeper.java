package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of the claims a worker took alive from the claim to their settlement, so that a
 * claim waiting between steps (for FileIO's pane, its rename, the settlement) is never taken over
 * while its work is alive, and a dead or frozen worker's claims still end with their lease.
 *
 * <ul>
 *   <li>One keeper per Redis per worker, with a connection of its own on which each renewal is
 *       tried once ({@link ClaimStore#forCommand}): a Redis that does not answer delays the next
 *       round, never a thread of the pipeline's, and a renewal never waits out an outage that a
 *       lease cannot survive anyway. Failures are logged when they start and once a minute.
 *   <li>A claim is renewed every third of its lease until Redis says it is no longer held (settled,
 *       released or taken over, on any worker: settlement may run on another worker than the
 *       claim), until it is settled here, or, unless its output is being written, for {@link
 *       #MAX_HOLD_LEASES} leases: work that is neither written nor settled by then is not alive.
 *   <li>Counts are added to Beam's metrics on the pipeline's threads ({@link #countInto}), where
 *       Beam's metrics live.
 * </ul>
 *
 * <p>A claim lost all the same (its lease ran out while Redis was unreachable, or its worker froze)
 * is the settlement's business: renames are checked there after the fact ({@code settle.lua}).
 */
final class LeaseKeeper {
  /** How many leases a claim not being written is renewed for at most. */
  static final int MAX_HOLD_LEASES = 6;

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final long TICK_MILLIS = 250;
  private static final long LOG_INTERVAL_MILLIS = 60_000;
  private static final Map<RedisSettings, LeaseKeeper> KEEPERS = new ConcurrentHashMap<>();

  /**
   * The one thread that talks to Redis for a worker's liveness: the keepers' renewals and the jobs'
   * heartbeats ({@link JobHeartbeat}). Each call on it is tried once, so none holds up the others
   * for longer than a connection timeout.
   */
  static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "gcs-rewrite-redis-liveness");
            thread.setDaemon(true);
            return thread;
          });

  private final RedisSettings settings;
  private final Map<String, Kept> kept = new ConcurrentHashMap<>();
  private final AtomicLong renewed = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private @Nullable ClaimStore store;
  private long lastFailureLog;
  private int failures;

  /** One claim kept alive. */
  private static final class Kept {
    final ClaimStore.Held claim;
    final String owner;
    final Duration lease;
    final long keptUntil;
    final AtomicInteger writers = new AtomicInteger();
    volatile long renewedAt = System.currentTimeMillis();

    Kept(ClaimStore.Held claim, ClaimSettings settings) {
      this.claim = claim;
      this.owner = settings.owner();
      Duration lease = settings.lease();
      this.lease = lease;
      this.keptUntil = renewedAt + lease.getMillis() * MAX_HOLD_LEASES;
    }

    boolean due(long now) {
      return now - renewedAt >= Math.max(1, lease.getMillis() / 3);
    }
  }

  /**
   * What {@link ClaimStore#keepWhileWriting} returns: closing it ends the writing, not the claim.
   */
  public interface Writing extends AutoCloseable {
    @Override
    void close();
  }

  private LeaseKeeper(RedisSettings settings) {
    this.settings = settings;
    TIMER.scheduleWithFixedDelay(this::renewDue, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** This worker's keeper for the Redis of {@code settings}. */
  static LeaseKeeper of(RedisSettings settings) {
    return KEEPERS.computeIfAbsent(settings, LeaseKeeper::new);
  }

  /** Renews {@code claim}, taken as {@code settings} say, from now on. */
  void keep(ClaimStore.Held claim, ClaimSettings settings) {
    kept.putIfAbsent(id(claim), new Kept(claim, settings));
  }

  /** Stops renewing {@code claim}: it is settled or released. */
  void forget(ClaimStore.Held claim) {
    kept.remove(id(claim));
  }

  /**
   * Stops renewing every claim of {@code owner}: none of its steps runs on this worker any more
   * (the job was cancelled, or failed), so its claims are as a dead worker's.
   */
  void forgetOwner(String owner) {
    kept.values().removeIf(entry -> entry.owner.equals(owner));
  }

  /** Renews {@code claim} for as long as the returned handle is open, however long that is. */
  ClaimStore.Writing whileWriting(ClaimStore.Held claim, ClaimSettings settings) {
    Kept entry = kept.computeIfAbsent(id(claim), unused -> new Kept(claim, settings));
    entry.writers.incrementAndGet();
    return entry.writers::decrementAndGet;
  }

  /** Adds what was renewed and lost since the last call to Beam's counters. */
  void countInto() {
    long renewals = renewed.getAndSet(0);
    long losses = lost.getAndSet(0);
    if (renewals > 0) {
      PipelineMetrics.LEASES_RENEWED.inc(renewals);
    }
    if (losses > 0) {
      PipelineMetrics.CLAIMS_LOST.inc(losses);
    }
  }

  private static String id(ClaimStore.Held claim) {
    return claim.notification().generationKey() + "@" + claim.token();
  }

  private void renewDue() {
    long now = System.currentTimeMillis();
    List<Kept> due = new ArrayList<>();
    for (Kept entry : kept.values()) {
      if (entry.writers.get() == 0 && now > entry.keptUntil) {
        kept.remove(id(entry.claim));
        LOG.warn(
            "Stopped renewing the lease of {}: neither written nor settled after {} leases",
            entry.claim.notification().generationKey(),
            MAX_HOLD_LEASES);
      } else if (entry.due(now) && FaultPoints.reach(FaultPoints.Point.RENEWING, entry.claim)) {
        due.add(entry);
      }
    }
    if (!due.isEmpty()) {
      renew(due);
    }
  }

  private void renew(List<Kept> due) {
    try {
      ClaimStore current = store();
      List<Boolean> held =
          current.renewEach(
              due.stream().map(k -> k.claim).toList(), due.stream().map(k -> k.lease).toList());
      for (int i = 0; i < due.size(); i++) {
        Kept entry = due.get(i);
        if (held.get(i)) {
          entry.renewedAt = System.currentTimeMillis();
          renewed.incrementAndGet();
        } else if (kept.remove(id(entry.claim)) != null) {
          lost.incrementAndGet();
          LOG.warn(
              "Lost the claim on {}: it is settled elsewhere or its lease ended and another claim"
                  + " took the object; its settlement puts the newest generation's output back",
              entry.claim.notification().generationKey());
        }
      }
      if (failures > 0) {
        LOG.info("Renewed leases again after {} failed rounds", failures);
        failures = 0;
      }
    } catch (RuntimeException | IOException e) {
      closeStore();
      long now = System.currentTimeMillis();
      if (failures++ == 0 || now - lastFailureLog >= LOG_INTERVAL_MILLIS) {
        lastFailureLog = now;
        LOG.warn(
            "Could not renew {} leases (round {}); trying again in {} ms: {}",
            due.size(),
            failures,
            TICK_MILLIS,
            e.toString());
      }
    }
  }

  private ClaimStore store() throws IOException {
    if (store == null) {
      store = ClaimStore.forCommand(settings);
    }
    return store;
  }

  private void closeStore() {
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing the lease keeper's Redis connection failed", e);
      }
      store = null;
    }
  }
}
