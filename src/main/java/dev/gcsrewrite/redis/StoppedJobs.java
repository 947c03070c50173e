package dev.gcsrewrite.redis;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the jobs named stopped ({@code --stopped-job}) are: a job whose workers still beat
 * ({@link JobHeartbeat}) runs, whatever its name, and its live claims are never taken over.
 *
 * <ul>
 *   <li>The reconcile command, before it starts anything, {@link #findRunning watches} the named
 *       jobs' heartbeats until each has lapsed (stopped) or beats again (running: it refuses). A
 *       job stopped moments ago is waited for at most {@link JobHeartbeat#TTL}.
 *   <li>Each claim of the run asks again ({@link #stillStopped}, at most once per {@link
 *       JobHeartbeat#PERIOD} per store), so that a job relaunched under the name meanwhile is
 *       waited for like any other from then on.
 * </ul>
 */
public final class StoppedJobs {
  private static final Logger LOG = LoggerFactory.getLogger(StoppedJobs.class);
  private static final long WATCH_POLL_MILLIS = 1_000;

  /**
   * A job named stopped that runs.
   *
   * @param job its name
   * @param beat its last heartbeat: the worker ({@code pid@host}) and the time it beat
   */
  public record Running(String job, String beat) {}

  private final ClaimStore store;
  private List<String> asked = List.of();
  private Set<String> running = Set.of();
  private long askedAtNanos;

  StoppedJobs(ClaimStore store) {
    this.store = store;
  }

  /**
   * Watches the heartbeats of {@code jobs} until each has lapsed, or one beats again; returns that
   * one, or null when all are stopped.
   *
   * @param watching told of each job found beating at first, before the watch
   * @throws RedisUnavailableException if Redis cannot be read
   */
  public static @Nullable Running findRunning(
      ClaimStore store, List<String> jobs, Consumer<Running> watching) throws InterruptedException {
    Map<String, String> seen = new HashMap<>(store.heartbeats(jobs));
    seen.forEach((job, beat) -> watching.accept(new Running(job, beat)));
    // A beat outlives its job by TTL at most; one still there unchanged after that never lapses.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JobHeartbeat.TTL.getMillis());
    while (!seen.isEmpty()) {
      Thread.sleep(WATCH_POLL_MILLIS);
      Map<String, String> now = store.heartbeats(List.copyOf(seen.keySet()));
      for (Iterator<Map.Entry<String, String>> i = seen.entrySet().iterator(); i.hasNext(); ) {
        Map.Entry<String, String> before = i.next();
        String beat = now.get(before.getKey());
        if (beat == null) {
          i.remove();
        } else if (!beat.equals(before.getValue()) || System.nanoTime() > deadline) {
          return new Running(before.getKey(), beat);
        }
      }
    }
    return null;
  }

  /** {@code named} less the jobs that beat: the owners whose live leases a claim takes over. */
  synchronized List<String> stillStopped(List<String> named) {
    if (named.isEmpty()) {
      return named;
    }
    long now = System.nanoTime();
    if (!named.equals(asked)
        || now - askedAtNanos >= TimeUnit.MILLISECONDS.toNanos(JobHeartbeat.PERIOD.getMillis())) {
      Set<String> beating = store.heartbeats(named).keySet();
      for (String job : named) {
        if (beating.contains(job) && !running.contains(job)) {
          LOG.info("Job {}, named stopped, runs: its live claims are waited out", job);
        } else if (!beating.contains(job) && running.contains(job)) {
          LOG.info("Job {}, named stopped, beats no more: its live claims are taken over", job);
        }
      }
      running = Set.copyOf(beating);
      asked = named;
      askedAtNanos = now;
    }
    return named.stream().filter(job -> !running.contains(job)).toList();
  }
}
