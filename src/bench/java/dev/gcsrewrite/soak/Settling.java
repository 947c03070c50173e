package dev.gcsrewrite.soak;

import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.LongSupplier;
import redis.clients.jedis.Jedis;

/** The end of a soak: the workload has stopped, and the pipelines settle what they were given. */
final class Settling {
  /** Longest time without progress, nothing in flight, before the wait ends. */
  private static final Duration STALL = Duration.ofSeconds(90);

  private Settling() {}

  /**
   * Waits until every notified generation is settled in Redis with an outcome event, or nothing
   * moves for {@link #STALL} with nothing in flight, or {@code cap} has passed.
   */
  static void await(
      Duration cap,
      LocalRedis redis,
      NotifiedGenerations notified,
      List<TopicTap> taps,
      TopicTap completeTap,
      Faults faults,
      Pipelines pipelines,
      OutputWatch watch,
      PrintStream out,
      LongSupplier seconds)
      throws Exception {
    long deadline = System.nanoTime() + cap.toNanos();
    long lastChange = System.nanoTime();
    String lastState = "";
    long nextLine = 0;
    while (true) {
      faults.reviveExited();
      Soak.drainAll(taps);
      watch.sample();
      RedisRecords records;
      try (Jedis jedis = redis.client()) {
        records = RedisRecords.read(jedis, Soak.KEY_PREFIX, Soak.BUCKET);
      }
      RedisView view = new RedisView(records, faults.beforeRestarts());
      Set<String> announced = new HashSet<>();
      for (TopicTap.Received event : completeTap.received()) {
        announced.add(event.attribute("objectId") + "#" + event.attribute("objectGeneration"));
      }
      LostInFlight lost = new LostInFlight(notified, faults.kills());
      long unsettled = 0;
      long unannounced = 0;
      for (Map.Entry<String, NavigableMap<Long, NotifiedGenerations.Generation>> object :
          notified.all().entrySet()) {
        for (Map.Entry<Long, NotifiedGenerations.Generation> generation :
            object.getValue().entrySet()) {
          long g = generation.getKey();
          boolean traced = announced.contains(object.getKey() + "#" + g);
          if (lost.by(view, generation.getValue(), traced) != null) {
            continue;
          }
          if (!view.settled(object.getKey(), g)) {
            unsettled++;
          } else if (!traced) {
            unannounced++;
          }
        }
      }
      long inProgress = records.inProgress();
      if (unsettled == 0 && unannounced == 0 && inProgress == 0) {
        out.printf("[%4ds] everything settled and announced%n", seconds.getAsLong());
        return;
      }
      String state = unsettled + "/" + unannounced + "/" + inProgress + "/" + completeTap.size();
      if (!state.equals(lastState)) {
        lastState = state;
        lastChange = System.nanoTime();
      }
      if (seconds.getAsLong() >= nextLine) {
        out.printf(
            "[%4ds] draining: %d generations not settled, %d settled without an event yet, %d"
                + " claims in progress; %s running%n",
            seconds.getAsLong(), unsettled, unannounced, inProgress, pipelines.running());
        nextLine = seconds.getAsLong() + 15;
      }
      if (inProgress == 0 && System.nanoTime() - lastChange > STALL.toNanos()) {
        out.printf(
            "[%4ds] nothing moved for %d s with nothing in flight: checking as it is%n",
            seconds.getAsLong(), STALL.toSeconds());
        return;
      }
      if (System.nanoTime() > deadline) {
        out.printf(
            "[%4ds] the drain cap (%s) passed: checking as it is%n", seconds.getAsLong(), cap);
        return;
      }
      Thread.sleep(3000);
    }
  }
}
