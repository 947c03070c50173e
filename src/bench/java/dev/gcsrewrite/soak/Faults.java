package dev.gcsrewrite.soak;

import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * Injects the soak's faults, one at a time, on a seeded schedule: the kinds in a seeded shuffle,
 * every kind once before any kind again, a seeded pause between one fault's end and the next one's
 * start; each fault's target and length drawn from the same {@link Random}, so the same seed gives
 * the same faults in the same order.
 *
 * <p>It also owns the pipelines' lives: a pipeline that ends on its own is recorded (a violation)
 * and started again, with a reconcile, as after a kill.
 */
final class Faults {
  /** How long Redis stays full or read-only. */
  static final Duration REDIS_OUTAGE = Duration.ofSeconds(20);

  /** One fault injected: when (seconds into the soak), what, and how it went. */
  record Injected(long atSeconds, FaultKind kind, String detail) {}

  /**
   * A pipeline stopped without draining (SIGKILL, or SIGTERM for the second one): its job, when,
   * and when the reconcile that followed ended.
   */
  record Kill(String jobName, Instant killed, Instant reconciled) {}

  private final Set<FaultKind> kinds;
  private final Random random;
  private final Pipelines pipelines;
  private final LocalRedis redis;
  private final String keyPrefix;
  private final String bucket;
  private final Duration claimLease;
  private final List<String> reconcileOptions;
  private final PrintStream out;
  private final LongSupplier elapsedSeconds;
  private final List<FaultKind> cycle = new ArrayList<>();
  // Read by the progress lines while a fault is under way.
  private final List<Injected> injected = new CopyOnWriteArrayList<>();
  private final List<RedisRecords> beforeRestarts = new CopyOnWriteArrayList<>();
  private final List<Kill> kills = new CopyOnWriteArrayList<>();

  Faults(
      Set<FaultKind> kinds,
      long seed,
      Pipelines pipelines,
      LocalRedis redis,
      String keyPrefix,
      String bucket,
      Duration claimLease,
      List<String> reconcileOptions,
      PrintStream out,
      LongSupplier elapsedSeconds) {
    this.kinds = kinds;
    // Its own stream: the schedule does not depend on how many operations the workload drew.
    this.random = new Random(seed * 1_000_003L + 19);
    this.pipelines = pipelines;
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.bucket = bucket;
    this.claimLease = claimLease;
    this.reconcileOptions = List.copyOf(reconcileOptions);
    this.out = out;
    this.elapsedSeconds = elapsedSeconds;
  }

  /**
   * Injects faults from {@code warmUp} until {@code endNanos} (System.nanoTime), a pause drawn in
   * [{@code gapMin}, {@code gapMax}] after each; a fault under way at the end is finished (its
   * Redis restored, its pipeline continued, its reconcile run).
   */
  void run(Duration warmUp, Duration gapMin, Duration gapMax, long endNanos)
      throws IOException, InterruptedException {
    pause(warmUp, endNanos);
    while (System.nanoTime() < endNanos && !kinds.isEmpty()) {
      inject(next());
      long gap =
          gapMin.toMillis()
              + (long) (random.nextDouble() * (gapMax.toMillis() - gapMin.toMillis()));
      pause(Duration.ofMillis(gap), endNanos);
    }
  }

  /** Waits {@code duration} or until {@code endNanos}, reviving pipelines that ended meanwhile. */
  private void pause(Duration duration, long endNanos) throws IOException, InterruptedException {
    long until = Math.min(endNanos, System.nanoTime() + duration.toNanos());
    while (System.nanoTime() < until) {
      reviveExited();
      Thread.sleep(Math.max(1, Math.min(1000, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  /**
   * Starts again every pipeline that ended on its own (recorded as a violation by {@link
   * Pipelines}), and reconciles what it held.
   */
  synchronized void reviveExited() throws IOException, InterruptedException {
    for (Pipelines.Run exited : pipelines.exitedOnTheirOwn()) {
      out.printf(
          "[%4ds] %s ended on its own: starting %s again%n",
          elapsedSeconds.getAsLong(), exited, exited.role);
      pipelines.start(exited.role);
      pipelines.reconcile(bucket, List.of(exited.jobName), reconcileOptions);
    }
  }

  private FaultKind next() {
    if (cycle.isEmpty()) {
      cycle.addAll(kinds);
      Collections.shuffle(cycle, random);
    }
    return cycle.remove(0);
  }

  private void inject(FaultKind kind) throws IOException, InterruptedException {
    long at = elapsedSeconds.getAsLong();
    // Drawn whatever the kind, so that one kind's draws never shift another's.
    int pick = random.nextInt(Integer.MAX_VALUE);
    double length = random.nextDouble();
    out.printf("[%4ds] fault: %s...%n", at, kind.description());
    String detail =
        switch (kind) {
          case KILL -> kill(pick, length);
          case FREEZE -> freeze(pick, length);
          case REDIS_EMPTY -> redisEmpty(length);
          case REDIS_FULL -> redisFull();
          case REDIS_READ_ONLY -> redisReadOnly();
          case SECOND_PIPELINE -> secondPipeline();
        };
    injected.add(new Injected(at, kind, detail));
    out.printf("[%4ds]   %s%n", elapsedSeconds.getAsLong(), detail);
  }

  private String kill(int pick, double length) throws IOException, InterruptedException {
    List<Pipelines.Run> running = pipelines.running();
    if (running.isEmpty()) {
      return "no pipeline running to kill";
    }
    Pipelines.Run victim = running.get(pick % running.size());
    Instant killed = Instant.now();
    pipelines.kill(victim);
    Thread.sleep(1000 + (long) (length * 2000));
    Pipelines.Run next = pipelines.start(victim.role);
    pipelines.awaitStarted(next, Duration.ofSeconds(90));
    long started = System.nanoTime();
    boolean reconciled = pipelines.reconcile(bucket, List.of(victim.jobName), reconcileOptions);
    kills.add(new Kill(victim.jobName, killed, Instant.now()));
    return String.format(
        "SIGKILL %s; started %s; reconcile --stopped-job=%s %s in %d s",
        victim,
        next,
        victim.jobName,
        reconciled ? "finished" : "FAILED",
        (System.nanoTime() - started) / 1_000_000_000);
  }

  private String freeze(int pick, double length) throws IOException, InterruptedException {
    List<Pipelines.Run> running = pipelines.running();
    if (running.isEmpty()) {
      return "no pipeline running to freeze";
    }
    Pipelines.Run victim = running.get(pick % running.size());
    Duration frozen = claimLease.plusMillis(3000 + (long) (length * 5000));
    pipelines.freeze(victim, frozen);
    return String.format(
        "SIGSTOP %s for %.1f s (lease %d s), then SIGCONT%s",
        victim,
        frozen.toMillis() / 1000.0,
        claimLease.toSeconds(),
        running.size() > 1 ? "; " + (running.size() - 1) + " other pipeline running" : "");
  }

  private String redisEmpty(double length) throws IOException, InterruptedException {
    RedisRecords before;
    try (Jedis jedis = redis.client()) {
      // Writes (scripts included) wait while the records are read, so that what the restart
      // forgets is exactly what was read.
      jedis.clientPause(30_000, ClientPauseMode.WRITE);
      before = RedisRecords.read(jedis, keyPrefix, bucket);
    }
    redis.stop();
    beforeRestarts.add(before);
    long down = 1000 + (long) (length * 2000);
    Thread.sleep(down);
    redis.start();
    return String.format(
        "read %d generation records (%d in progress), stopped Redis, started it empty on port %d"
            + " after %.1f s",
        before.generations().size(), before.inProgress(), redis.port(), down / 1000.0);
  }

  private String redisFull() throws InterruptedException {
    try (Jedis jedis = redis.client()) {
      jedis.configSet("maxmemory", "1");
    }
    try {
      Thread.sleep(REDIS_OUTAGE.toMillis());
    } finally {
      try (Jedis jedis = redis.client()) {
        jedis.configSet("maxmemory", "0");
      }
    }
    return "maxmemory 1 (noeviction) for " + REDIS_OUTAGE.toSeconds() + " s, then 0";
  }

  private String redisReadOnly() throws IOException, InterruptedException {
    int nowhere = Ports.free();
    try (Jedis jedis = redis.client()) {
      jedis.replicaof("127.0.0.1", nowhere);
    }
    try {
      Thread.sleep(REDIS_OUTAGE.toMillis());
    } finally {
      try (Jedis jedis = redis.client()) {
        jedis.replicaofNoOne();
      }
    }
    return "REPLICAOF 127.0.0.1 "
        + nowhere
        + " (nothing listens) for "
        + REDIS_OUTAGE.toSeconds()
        + " s, then REPLICAOF NO ONE";
  }

  private String secondPipeline() throws IOException, InterruptedException {
    Pipelines.Run second = pipelines.inRole("b");
    if (second == null) {
      Pipelines.Run started = pipelines.start("b");
      // The next fault counts from when it runs: a freeze of a JVM still starting tests nothing.
      boolean running = pipelines.awaitStarted(started, Duration.ofSeconds(90));
      return "started "
          + started
          + " beside "
          + pipelines.inRole("a")
          + (running ? "" : " (its pipeline had not started after 90 s)");
    }
    Instant stopped = Instant.now();
    pipelines.terminate(second);
    boolean reconciled = pipelines.reconcile(bucket, List.of(second.jobName), reconcileOptions);
    kills.add(new Kill(second.jobName, stopped, Instant.now()));
    return "stopped "
        + second
        + " (SIGTERM); reconcile --stopped-job="
        + second.jobName
        + (reconciled ? " finished" : " FAILED");
  }

  List<Injected> injected() {
    return List.copyOf(injected);
  }

  /** Injections per kind, every kind asked for listed. */
  Map<FaultKind, Long> counts() {
    Map<FaultKind, Long> counts = new EnumMap<>(FaultKind.class);
    for (FaultKind kind : kinds) {
      counts.put(kind, 0L);
    }
    for (Injected fault : injected) {
      counts.merge(fault.kind(), 1L, Long::sum);
    }
    return counts;
  }

  /** The records read before each Redis restart, oldest first. */
  /** The pipelines stopped without draining, in order. */
  List<Kill> kills() {
    return List.copyOf(kills);
  }

  List<RedisRecords> beforeRestarts() {
    return List.copyOf(beforeRestarts);
  }
}
