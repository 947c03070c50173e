package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Two jobs (two pipelines, as two Dataflow workers or a relaunch beside the old job would be), one
 * Redis, one shared processed folder, racing over objects overwritten three times (four generations
 * each), their notifications shuffled and each delivered twice to each job: every final output is
 * the rewrite of its object's newest generation, byte for byte, and no generation is announced
 * complete twice.
 */
public class RacingPipelinesTest {
  // Enough for every claim to meet the other job's lease hundreds of times (the run prints how
  // many); the DirectRunner's cost grows faster than the count, so no more.
  private static final int OBJECTS = 150;
  private static final int GENERATIONS = 4;
  private static final long FIRST = 1764064800000000L;
  private static final Duration PATIENCE = Duration.ofMinutes(6);

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a", "b");

  @Test
  public void everyFinalOutputIsTheNewestGenerationsRewriteAndNoneIsCompletedTwice()
      throws Exception {
    buckets.setVersioned(true);
    List<PubsubMessage> notifications = new ArrayList<>();
    for (int i = 0; i < OBJECTS; i++) {
      for (int g = 1; g <= GENERATIONS; g++) {
        byte[] content = content(i, g);
        buckets.putGeneration(object(i), generation(g), content);
        PubsubMessage message = newObject(object(i), generation(g), content, "");
        notifications.add(message);
        notifications.add(message);
      }
    }
    Collections.shuffle(notifications, new Random(20261126L));

    long started = System.nanoTime();
    try (RunningPipeline a = RunningPipeline.start(args("a"));
        RunningPipeline b = RunningPipeline.start(args("b"))) {
      job.publish(notifications);
      Eventually.await(
          "every object's newest generation completed, and every generation settled",
          PATIENCE,
          this::allSettled);
      a.assertRunning();
      b.assertRunning();
      System.out.printf(
          "Racing pipelines: %d generations of %d objects settled in %.1f s; written by a %d,"
              + " by b %d; superseded %d; waits %d%n",
          OBJECTS * GENERATIONS,
          OBJECTS,
          (System.nanoTime() - started) / 1e9,
          a.counter("objectsWritten"),
          b.counter("objectsWritten"),
          a.counter("superseded") + b.counter("superseded"),
          a.counter("claimsWaiting") + b.counter("claimsWaiting"));
      // The jobs raced: both wrote, and claims met the other job's lease.
      assertThat(a.counter("objectsWritten"), greaterThan(0L));
      assertThat(b.counter("objectsWritten"), greaterThan(0L));
      assertThat(a.counter("claimsWaiting") + b.counter("claimsWaiting"), greaterThan(0L));

      for (int i = 0; i < OBJECTS; i++) {
        assertEquals(
            object(i),
            new String(content(i, GENERATIONS), StandardCharsets.UTF_8).replace("AWS", "GCP"),
            Files.readString(buckets.output(object(i) + ".processed")));
      }
      Map<String, Integer> completes = new HashMap<>();
      Map<String, Integer> outcomes = new HashMap<>();
      Eventually.await(
          "an outcome event for every generation",
          PATIENCE,
          () -> {
            for (PubsubMessage event : job.pull("complete")) {
              String generation =
                  event.getAttribute("objectId") + "#" + event.getAttribute("objectGeneration");
              outcomes.merge(generation, 1, Integer::sum);
              if ("complete".equals(event.getAttribute("eventType"))) {
                completes.merge(generation, 1, Integer::sum);
              }
            }
            return outcomes.size() == OBJECTS * GENERATIONS;
          });
      completes.forEach(
          (generation, count) -> assertEquals(generation + " completed", 1, (int) count));
      for (int i = 0; i < OBJECTS; i++) {
        assertEquals(
            object(i) + "'s newest generation completed",
            Integer.valueOf(1),
            completes.get(object(i) + "#" + generation(GENERATIONS)));
      }
      assertThat(completes.size(), greaterThanOrEqualTo(OBJECTS));
      assertThat(job.pull("dead"), empty());
    }
  }

  /** Every object's latest completed generation is its newest, and every generation settled. */
  private boolean allSettled() {
    ClaimKeys keys = new ClaimKeys(job.keyPrefix());
    try (Jedis jedis = REDIS.client()) {
      Pipeline pipeline = jedis.pipelined();
      List<Response<String>> latest = new ArrayList<>();
      List<Response<String>> states = new ArrayList<>();
      for (int i = 0; i < OBJECTS; i++) {
        latest.add(pipeline.hget(keys.latest(BUCKET, object(i)), "generation"));
        for (int g = 1; g <= GENERATIONS; g++) {
          states.add(pipeline.hget(keys.generation(BUCKET, object(i), generation(g)), "state"));
        }
      }
      pipeline.sync();
      for (Response<String> response : latest) {
        if (!Long.toString(generation(GENERATIONS)).equals(response.get())) {
          return false;
        }
      }
      for (Response<String> state : states) {
        if (!"COMPLETED".equals(state.get()) && !"SKIPPED".equals(state.get())) {
          // A generation superseded before it was ever claimed has no record: that is settled too.
          if (state.get() != null) {
            return false;
          }
        }
      }
      return true;
    }
  }

  private List<String> args(String reader) {
    return job.args(reader).with("--workBuckets=" + BUCKET).build();
  }

  private static byte[] content(int object, int generation) {
    return ("AWS object " + object + " generation " + generation + " AWS\n")
        .repeat(generation)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static long generation(int g) {
    return FIRST + g;
  }

  private static String object(int i) {
    return String.format("race/obj%03d.txt", i);
  }
}
