package dev.gcsrewrite.redis;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Redis that a job runs, for as long as one of its workers does, so that a job named stopped
 * to the reconcile command ({@code --stopped-job}) can be told from a live one of the same name: a
 * job's name is not unique over time (launches reuse {@code gcs-rewrite-<env>}), a running worker
 * is.
 *
 * <ul>
 *   <li>Every worker JVM that has set up a claim step writes {@code <prefix>job:<name>} every
 *       {@link #PERIOD}: its process, host and the time, expiring {@link #TTL} later. A job whose
 *       workers are all gone (cancelled, failed, killed) stops beating, and the key lapses.
 *   <li>One beat per JVM, job and Redis, however many DoFn instances hold it ({@link #hold}); it
 *       stops when the last hold is closed. The key is left to lapse: another worker of the job may
 *       still beat.
 *   <li>A beat is tried once: one that fails (Redis unreachable) is logged, and the next one tries
 *       again. A job that cannot reach Redis for a whole {@link #TTL} looks stopped, but then it
 *       cannot renew or settle its claims either.
 * </ul>
 *
 * <p>{@link StoppedJobs} reads the beats. The last hold closed also ends the renewals of the job's
 * claims on this worker ({@link LeaseKeeper#forgetOwner}).
 */
public final class JobHeartbeat implements AutoCloseable {
  /** How often a worker beats. */
  public static final Duration PERIOD = Duration.standardSeconds(5);

  /** How long a beat lasts: four periods, so that a late beat or two is no death. */
  public static final Duration TTL = PERIOD.multipliedBy(4);

  private static final Logger LOG = LoggerFactory.getLogger(JobHeartbeat.class);

  // This worker's name, and the beats' timer (LeaseKeeper.TIMER, named at each use rather than
  // held in a field here), are made by the first heartbeat, not when a command only reads PERIOD
  // or TTL for its help text: the status command starts in well under a second.
  private static final class Worker {
    static final String NAME = ManagementFactory.getRuntimeMXBean().getName();
  }

  private static final Map<Beating, JobHeartbeat> HELD = new HashMap<>();

  /** Whom a heartbeat is for. */
  private record Beating(RedisSettings redis, String job) {}

  private final Beating beating;
  private final ClaimStore store;
  private final ScheduledFuture<?> beat;
  private int holds = 1;
  private boolean failing;

  private JobHeartbeat(Beating beating, ClaimStore store) {
    this.beating = beating;
    this.store = store;
    this.beat =
        LeaseKeeper.TIMER.scheduleAtFixedRate(
            this::beat, 0, PERIOD.getMillis(), TimeUnit.MILLISECONDS);
  }

  /** A hold on this JVM's heartbeat for {@code job}, started by the first; close it in teardown. */
  public static JobHeartbeat hold(RedisSettings redis, String job) throws IOException {
    synchronized (HELD) {
      Beating beating = new Beating(redis, job);
      JobHeartbeat heartbeat = HELD.get(beating);
      if (heartbeat != null) {
        heartbeat.holds++;
        return heartbeat;
      }
      heartbeat = new JobHeartbeat(beating, ClaimStore.tryingOnce(redis));
      HELD.put(beating, heartbeat);
      LOG.info("Beating for job {} in Redis every {} s", job, PERIOD.getStandardSeconds());
      return heartbeat;
    }
  }

  private void beat() {
    try {
      store.beat(beating.job(), Worker.NAME + " " + Instant.now(), TTL);
      if (failing) {
        failing = false;
        LOG.info("Beating for job {} again", beating.job());
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn("Could not beat for job {}; trying every period: {}", beating.job(), e.toString());
      }
    }
  }

  /** Ends one hold; the last stops the beat. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (--holds > 0) {
        return;
      }
      HELD.remove(beating);
    }
    beat.cancel(false);
    // No step of the job runs here any more: its claims are a dead worker's, left to their leases.
    LeaseKeeper.of(beating.redis()).forgetOwner(beating.job());
    // After a beat under way, if any: the beats' one thread runs them in turn.
    LeaseKeeper.TIMER.execute(store::close);
    LOG.info("Stopped beating for job {}", beating.job());
  }
}
