package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.ClientKillParams.SkipMe;

/**
 * The Redis AUTH string rotated while the pipeline runs (a real redis-server with {@code
 * requirepass}, the real emulator): the secret changes, Redis's password changes, every connection
 * is dropped; the pipeline reads the secret again and goes on, losing nothing, doing nothing twice.
 */
public class RedisPasswordRotationTest {
  private static final String OLD = "old-auth-9f8e7d";
  private static final String NEW = "new-auth-1a2b3c";
  private static final long GENERATION = 1764064800000001L;

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis("requirepass " + OLD);
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void rotatedAuthStringIsReadAgainAndNothingIsLostOrDoneTwice() throws Exception {
    Path secret = folder.newFile("redis-auth").toPath();
    Files.writeString(secret, OLD + "\n", StandardCharsets.UTF_8);
    List<String> args = job.args("a").with("--redisPasswordSecret=file:" + secret).build();

    try (RunningPipeline pipeline = RunningPipeline.start(args)) {
      publish(0, 10);
      Set<String> events = new TreeSet<>();
      awaitEvents(events, 10);

      // Rotation: the new secret first, then Redis's password, then every client cut off.
      Files.writeString(secret, NEW + "\n", StandardCharsets.UTF_8);
      try (Jedis admin = REDIS.client()) {
        admin.auth(OLD);
        admin.configSet("requirepass", NEW);
        admin.clientKill(new ClientKillParams().type(ClientType.NORMAL).skipMe(SkipMe.YES));
      }

      publish(10, 20);
      awaitEvents(events, 20);
      pipeline.assertRunning();

      for (int i = 0; i < 20; i++) {
        assertEquals("GCP " + i, buckets.outputText(object(i) + ".processed"));
      }
      assertThat(pipeline.counter("redisAuthRefreshes"), greaterThanOrEqualTo(1L));
      assertEquals(20, pipeline.counter("objectsWritten"));
      assertThat(job.pull("dead"), empty());
    }
  }

  private void publish(int from, int to) {
    List<PubsubMessage> messages = new ArrayList<>();
    for (int i = from; i < to; i++) {
      byte[] content = ("AWS " + i).getBytes(StandardCharsets.UTF_8);
      buckets.put(object(i), content);
      messages.add(newObject(object(i), GENERATION, content, "m" + i));
    }
    job.publish(messages);
  }

  /** Pulls complete events until {@code count} distinct ones have come; fails on a repeat. */
  private void awaitEvents(Set<String> seen, int count) throws InterruptedException {
    Eventually.await(
        count + " complete events",
        Duration.ofSeconds(90),
        () -> {
          for (PubsubMessage event : job.pull("complete")) {
            String id = event.getAttribute("eventId");
            if (!seen.add(id)) {
              throw new AssertionError("complete event published twice: " + id);
            }
          }
          return seen.size() >= count;
        });
    for (String id : seen) {
      assertThat(id, startsWith(BUCKET + "/obj"));
      assertThat(id, endsWith(":complete"));
    }
  }

  private static String object(int i) {
    return String.format("obj%02d", i);
  }
}
