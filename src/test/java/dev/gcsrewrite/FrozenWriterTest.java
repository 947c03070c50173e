package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.FaultPoints;
import dev.gcsrewrite.redis.FaultPoints.Point;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Two jobs sharing Redis and the processed folder, as two Dataflow workers do, while one of them
 * freezes past its lease (a long pause, a VM frozen) at each step of a claim's life that changes an
 * output without a fence: streaming the source, between its temporary file and FileIO's rename,
 * between the rename and the settlement, and in the middle of a repair. The other job takes the
 * object over and goes on to newer generations; then the frozen one wakes and carries on. At
 * quiescence every output is the rewrite of the generation Redis records as its object's latest,
 * each generation is announced complete once, and the stale write is followed by a repair.
 */
public class FrozenWriterTest {
  private static final long G1 = 1764500000000001L;
  private static final long G2 = 1764500000000002L;
  private static final long G3 = 1764500000000003L;
  private static final Duration PATIENCE = Duration.ofSeconds(90);
  private static final List<String> SHORT_LEASES = List.of("--claimLease=3s", "--dedupeTtl=10s");

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a", "b");

  private final Freezer freezer = new Freezer();

  @After
  public void thawAll() {
    FaultPoints.clear();
    freezer.thawAll();
  }

  @Test
  public void writerFrozenPastItsLeaseAtEveryStepNeverLeavesAnOlderOutputInPlace()
      throws Exception {
    buckets.setVersioned(true);
    FaultPoints.install(freezer);
    Map<String, Long> newest = new HashMap<>();

    try (RunningPipeline a = RunningPipeline.start(args("a"));
        RunningPipeline b = RunningPipeline.start(args("b"))) {
      for (Point point : List.of(Point.STREAMING, Point.WRITTEN, Point.RENAMED)) {
        String objectId = point.name().toLowerCase(Locale.ROOT) + ".txt";
        freezer.plan(objectId, point);
        frozenWhileNewerGenerationsComplete(objectId, point, G1, G2);
        thawAndAwaitRepair(objectId, a, b);
        awaitSettled(objectId, G2);
        newest.put(objectId, G2);
      }
      // A stale write is repaired; the repair freezes too, past its lease, while generation 3 is
      // written: the repair's late rename is repaired in turn.
      freezer.plan("repairing.txt", Point.WRITTEN);
      freezer.plan("repairing.txt", Point.REPAIRING);
      frozenWhileNewerGenerationsComplete("repairing.txt", Point.WRITTEN, G1, G2);
      freezer.thaw("repairing.txt");
      frozenWhileNewerGenerationsComplete("repairing.txt", Point.REPAIRING, G3);
      thawAndAwaitRepair("repairing.txt", a, b);
      awaitSettled("repairing.txt", G3);
      newest.put("repairing.txt", G3);
      a.assertRunning();
      b.assertRunning();

      Map<String, Integer> completes = new HashMap<>();
      List<String> repaired = new ArrayList<>();
      Eventually.await(
          "a complete event of every generation, and the repairs announced",
          PATIENCE,
          () -> {
            for (PubsubMessage event : job.pull("complete")) {
              String key =
                  event.getAttribute("objectId") + "#" + event.getAttribute("objectGeneration");
              switch (event.getAttribute("eventType")) {
                case "complete" -> completes.merge(key, 1, Integer::sum);
                case "repaired" -> repaired.add(key);
                default -> {}
              }
            }
            return completes.size() == 9 && repaired.contains("repairing.txt#" + G3);
          });
      // The stale writers' late settlements announce nothing: generation 1's one complete event
      // came before generation 2 was even published.
      completes.forEach((key, count) -> assertEquals(key + " announced complete", 1, (int) count));
      for (Map.Entry<String, Long> object : newest.entrySet()) {
        assertEquals(
            object.getKey(),
            expected(object.getKey(), object.getValue()),
            buckets.outputText(object.getKey() + ".processed"));
      }
      assertThat(job.pull("dead"), empty());
    }
  }

  // ---- fixtures ----

  /**
   * Publishes {@code generations} of {@code objectId} one after another, each once the one before
   * is completed, the first claim of the first (or a repair) freezing at {@code point}: the other
   * job takes the object over when the frozen claim's lease ends.
   */
  private void frozenWhileNewerGenerationsComplete(
      String objectId, Point point, long... generations) throws InterruptedException {
    // A repair freezes on its own, after the stale write before it: its newer generation follows.
    if (point != Point.REPAIRING) {
      publishGeneration(objectId, generations[0]);
    }
    freezer.awaitFrozen(objectId, point);
    for (int i = 0; i < generations.length; i++) {
      long generation = generations[i];
      if (i > 0 || point == Point.REPAIRING) {
        publishGeneration(objectId, generation);
      }
      Eventually.await(
          objectId + "'s generation " + generation + " completed",
          PATIENCE,
          () -> Long.toString(generation).equals(job.latest(objectId)));
    }
  }

  /**
   * Lets the frozen claim of {@code objectId} go on, and waits for what must follow its late write:
   * a repair (without one, the older output it wrote would stay).
   */
  private void thawAndAwaitRepair(String objectId, RunningPipeline... jobs)
      throws InterruptedException {
    long before = repairs(jobs);
    freezer.thaw(objectId);
    Eventually.await(
        "a repair after the late write of " + objectId, PATIENCE, () -> repairs(jobs) > before);
  }

  private static long repairs(RunningPipeline... jobs) {
    return Arrays.stream(jobs).mapToLong(job -> job.counter("outputsRepaired")).sum();
  }

  private void awaitSettled(String objectId, long generation) throws InterruptedException {
    Eventually.await(
        objectId + "'s output the rewrite of generation " + generation + ", its lock free",
        PATIENCE,
        () -> settledAt(objectId, generation));
  }

  /** Whether {@code objectId}'s output is {@code generation}'s rewrite, its latest, lock free. */
  private boolean settledAt(String objectId, long generation) {
    try {
      return Long.toString(generation).equals(job.latest(objectId))
          && job.records().lock(BUCKET, objectId).get("generation") == null
          && Files.exists(buckets.output(objectId + ".processed"))
          && expected(objectId, generation).equals(buckets.outputText(objectId + ".processed"));
    } catch (RuntimeException e) {
      // An output half renamed, or a record half written, is not settled yet.
      return false;
    }
  }

  private void publishGeneration(String objectId, long generation) {
    byte[] content = content(objectId, generation);
    buckets.putGeneration(objectId, generation, content);
    job.publish(List.of(newObject(objectId, generation, content, "")));
  }

  private static byte[] content(String objectId, long generation) {
    return ("AWS " + objectId + " generation " + generation + " AWS\n")
        .repeat(1 + (int) (generation % 10))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String expected(String objectId, long generation) {
    return new String(content(objectId, generation), StandardCharsets.UTF_8).replace("AWS", "GCP");
  }

  private List<String> args(String reader) {
    List<String> args = new ArrayList<>(job.args(reader).with("--workBuckets=" + BUCKET).build());
    args.addAll(SHORT_LEASES);
    return args;
  }

  /**
   * Freezes, at planned points, the first claim of an object to reach each: its thread waits there
   * until thawed and its lease is not renewed meanwhile, as when its whole worker is frozen.
   */
  private static final class Freezer implements FaultPoints.Hook {
    private final Map<String, Deque<Point>> plans = new ConcurrentHashMap<>();
    private final Map<String, Frozen> frozen = new ConcurrentHashMap<>();

    private record Frozen(Point point, long token, CountDownLatch thaw) {}

    void plan(String objectId, Point point) {
      plans.computeIfAbsent(objectId, unused -> new ArrayDeque<>()).add(point);
    }

    @Override
    public boolean reach(Point point, ClaimStore.Held claim) {
      String objectId = claim.notification().objectId();
      Frozen now;
      synchronized (this) {
        now = frozen.get(objectId);
        boolean thawed = now == null || now.thaw().getCount() == 0;
        if (point == Point.RENEWING) {
          return thawed || now.token() != claim.token();
        }
        Deque<Point> plan = plans.get(objectId);
        if (!thawed || plan == null || plan.peek() != point) {
          return true;
        }
        plan.poll();
        now = new Frozen(point, claim.token(), new CountDownLatch(1));
        frozen.put(objectId, now);
      }
      try {
        if (!now.thaw().await(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException(objectId + " was never thawed at " + point);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    }

    void awaitFrozen(String objectId, Point point) throws InterruptedException {
      Eventually.await(
          objectId + " frozen at " + point,
          PATIENCE,
          () -> {
            Frozen now = frozen.get(objectId);
            return now != null && now.point() == point && now.thaw().getCount() > 0;
          });
    }

    void thaw(String objectId) {
      Frozen now = frozen.get(objectId);
      assertNull(objectId + " was not frozen", now == null ? "not frozen" : null);
      now.thaw().countDown();
    }

    void thawAll() {
      frozen.values().forEach(f -> f.thaw().countDown());
    }
  }
}
