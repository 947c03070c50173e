package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineArgs;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import redis.clients.jedis.Jedis;

/**
 * The claim's guarantee where it matters: real streaming pipelines (DirectRunner, in this JVM)
 * reading the Pub/Sub emulator, with a real Redis, against jobs that crash, pipelines that race,
 * and Redis going away while work is in flight.
 */
public class ClaimsAcrossPipelinesTest {
  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestName test = new TestName();

  private static final long GENERATION = 1763630102412883L;
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private String name;

  @Before
  public void createTopics() {
    name = test.getMethodName().replaceAll("[^A-Za-z0-9]", "").toLowerCase();
    PipelineArgs.createTopics(PUBSUB, name, "a", "b");
  }

  @Test
  public void generationHeldByACrashedJobIsTakenOverWhenItsLeaseEnds() throws Exception {
    buckets.put("held", "AWS held");
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed()))) {
      // The crashed job's claim is taken once job a is up, so that the lease is still live when a
      // first asks however long a took to start: a must wait for it to end.
      long leaseEnd;
      try (ClaimStore store = ClaimStore.forPipeline(REDIS.settings(prefix()))) {
        store.claim(
            List.of(parsed(BUCKET, "held", GENERATION, "earlier")),
            new ClaimSettings(
                "crashed-job",
                org.joda.time.Duration.standardSeconds(8),
                org.joda.time.Duration.standardDays(1)));
        leaseEnd = Long.parseLong(record("held").get("leaseUntil"));
      }
      publish(newObject("held", GENERATION, 8, "m"));
      Eventually.await(
          "the generation to be completed by job a",
          PATIENCE,
          () -> "COMPLETED".equals(record("held").get("state")));
      a.assertRunning();

      Map<String, String> record = record("held");
      assertEquals("job-a", record.get("owner"));
      // Claimed only once the crashed job's lease had ended, and not a moment before.
      assertThat(Long.parseLong(record.get("claimedAt")), greaterThanOrEqualTo(leaseEnd));
      assertEquals("GCP held", buckets.outputText("held.processed"));
      assertThat(a.counter("claimsWaiting"), greaterThanOrEqualTo(1L));
      assertEquals(1, a.counter("claimed"));
      assertEquals(List.of(key("held") + ":complete"), eventIds(awaitComplete(1)));
      assertThat(PUBSUB.pull(name + "-dead-watch"), empty());
    }
  }

  @Test
  public void writeLastingManyLeasesIsNotTakenOverWhileItsOwnerLives() throws Exception {
    // 2 GiB: seven seconds or more to read, rewrite and write even on a quiet machine (1 GiB took
    // under five there), so at least two leases of 2.5 s (long enough to reach the writer, a
    // second after the claim, which then renews them) end during the write unless renewed.
    byte[] block = ("AWS " + "x".repeat(1020)).repeat(1024).getBytes(StandardCharsets.UTF_8);
    int blocks = 2048;
    Path source = buckets.source("large.bin");
    Files.createDirectories(source.getParent());
    try (FileChannel out =
        FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int i = 0; i < blocks; i++) {
        out.write(ByteBuffer.wrap(block));
      }
    }
    long size = (long) block.length * blocks;
    List<String> shortLeases = List.of("--claimLease=2500ms", "--dedupeTtl=10s");
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed(), shortLeases));
        RunningPipeline b = RunningPipeline.start(args("b", buckets.processed(), shortLeases))) {
      publish(newObject("large.bin", GENERATION, size, "m"));
      Eventually.await(
          "the large generation completed",
          PATIENCE,
          () -> "COMPLETED".equals(record("large.bin").get("state")));
      Thread.sleep(2_000);
      a.assertRunning();
      b.assertRunning();

      Map<String, String> record = record("large.bin");
      long held =
          Long.parseLong(record.get("completedAt")) - Long.parseLong(record.get("claimedAt"));
      assertThat("the write outlasted two leases", held, greaterThanOrEqualTo(2 * 2500L));
      assertEquals("written once", 1, a.counter("objectsWritten") + b.counter("objectsWritten"));
      assertEquals("taken over never", 1, a.counter("claimed") + b.counter("claimed"));
      assertEquals(0, a.counter("claimsLost") + b.counter("claimsLost"));
      assertThat(a.counter("leasesRenewed") + b.counter("leasesRenewed"), greaterThanOrEqualTo(3L));
      byte[] expected =
          new String(block, StandardCharsets.UTF_8)
              .replace("AWS", "GCP")
              .getBytes(StandardCharsets.UTF_8);
      Path output = buckets.output("large.bin.processed");
      assertEquals(size, Files.size(output));
      try (FileChannel in = FileChannel.open(output)) {
        ByteBuffer read = ByteBuffer.allocate(block.length);
        for (int i = 0; i < blocks; i++) {
          read.clear();
          while (read.hasRemaining() && in.read(read) >= 0) {}
          assertArrayEquals("block " + i, expected, read.array());
        }
      }
      assertEquals(List.of(key("large.bin") + ":complete"), eventIds(awaitComplete(1)));
    } finally {
      Files.deleteIfExists(source);
      Files.deleteIfExists(buckets.output("large.bin.processed"));
    }
  }

  @Test
  public void twoPipelinesSharingTheBucketWriteEachObjectExactlyOnce() throws Exception {
    int count = 12;
    List<PubsubMessage> notifications = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      buckets.put(object(i), content(i));
      notifications.add(newObject(object(i), GENERATION, content(i), "m" + i));
    }
    Path processedB = buckets.folder("processed-b");
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed()));
        RunningPipeline b = RunningPipeline.start(args("b", processedB))) {
      PUBSUB.publish(name + "-work", notifications);
      Eventually.await("all objects completed", PATIENCE, () -> completed(0, count));
      // Let every generation waiting for the other job's lease be asked about again.
      Thread.sleep(8_000);
      a.assertRunning();
      b.assertRunning();

      List<String> writtenByA = LocalBuckets.filesBelow(buckets.processed());
      List<String> writtenByB = LocalBuckets.filesBelow(processedB);
      Set<String> both = new HashSet<>(writtenByA);
      both.retainAll(writtenByB);
      assertThat("written by both pipelines", both, empty());
      assertEquals(count, writtenByA.size() + writtenByB.size());
      assertEquals(count, a.counter("objectsWritten") + b.counter("objectsWritten"));
      for (int i = 0; i < count; i++) {
        Path out =
            writtenByA.contains(object(i) + ".processed")
                ? buckets.processed().resolve(object(i) + ".processed")
                : processedB.resolve(object(i) + ".processed");
        assertEquals("GCP " + i, Files.readString(out));
      }
      List<PubsubMessage> complete = awaitComplete(count);
      assertEquals(count, new HashSet<>(eventIds(complete)).size());
      assertThat(PUBSUB.pull(name + "-dead-watch"), empty());
    }
  }

  @Test
  public void redisGoingAwayWhileWorkIsInFlightLosesNothingAndRepeatsNothing() throws Exception {
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed()))) {
      // Redis down before the notifications arrive: they wait in ClaimInRedis, unclaimed.
      REDIS.stop();
      List<PubsubMessage> first = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        buckets.put(object(i), content(i));
        first.add(newObject(object(i), GENERATION, content(i), "m" + i));
      }
      PUBSUB.publish(name + "-work", first);
      Thread.sleep(4_000);
      assertThat("nothing goes through unclaimed", buckets.outputs(), empty());
      REDIS.start();
      Eventually.await("the first objects written", PATIENCE, () -> buckets.outputs().size() == 6);

      // Redis down again between claim and settle: the writes are done, settling waits.
      List<PubsubMessage> second = new ArrayList<>();
      for (int i = 6; i < 12; i++) {
        buckets.put(object(i), content(i));
        second.add(newObject(object(i), GENERATION, content(i), "m" + i));
      }
      PUBSUB.publish(name + "-work", second);
      Eventually.await("a claim in progress", PATIENCE, this::anyClaimInProgress);
      REDIS.stop();
      Thread.sleep(3_000);
      REDIS.start();
      // The restart emptied Redis (no persistence), so only the second batch has records now.
      Eventually.await("the second batch settled", PATIENCE, () -> completed(6, 12));
      a.assertRunning();

      assertEquals(12, buckets.outputs().size());
      for (int i = 0; i < 12; i++) {
        assertEquals("GCP " + i, buckets.outputText(object(i) + ".processed"));
      }
      assertEquals(12, a.counter("objectsWritten"));
      assertThat(a.counter("redisRetries"), greaterThan(0L));
      List<PubsubMessage> complete = awaitComplete(12);
      assertEquals(12, new HashSet<>(eventIds(complete)).size());
      assertThat(PUBSUB.pull(name + "-dead-watch"), empty());
    }
  }

  // ---- fixtures ----

  private List<String> args(String job, Path processed) {
    return args(job, processed, List.of("--claimLease=5s", "--dedupeTtl=10s"));
  }

  private List<String> args(String job, Path processed, List<String> options) {
    PipelineArgs args = PipelineArgs.of(PUBSUB, REDIS, buckets, name).job(job).processed(processed);
    options.forEach(args::with);
    return args.build();
  }

  private void publish(PubsubMessage message) {
    PUBSUB.publish(name + "-work", List.of(message));
  }

  private String prefix() {
    return name + ":";
  }

  private static byte[] content(int i) {
    return ("AWS " + i).getBytes(StandardCharsets.UTF_8);
  }

  private static String object(int i) {
    return String.format("obj%02d", i);
  }

  private static String key(String objectId) {
    return BUCKET + "/" + objectId + "#" + GENERATION;
  }

  private Map<String, String> record(String objectId) {
    try (Jedis jedis = REDIS.client()) {
      return jedis.hgetAll(new ClaimKeys(prefix()).generation(BUCKET, objectId, GENERATION));
    } catch (RuntimeException redisDown) {
      return Map.of();
    }
  }

  private boolean completed(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!"COMPLETED".equals(record(object(i)).get("state"))) {
        return false;
      }
    }
    return true;
  }

  private boolean anyClaimInProgress() {
    for (int i = 6; i < 12; i++) {
      if ("INPROGRESS".equals(record(object(i)).get("state"))) {
        return true;
      }
    }
    return false;
  }

  /** Pulls complete events until {@code count} have come, then a little longer for extras. */
  private List<PubsubMessage> awaitComplete(int count) throws InterruptedException {
    List<PubsubMessage> events = new ArrayList<>();
    Eventually.await(
        count + " complete events",
        PATIENCE,
        () -> {
          events.addAll(PUBSUB.pull(name + "-complete-watch"));
          return events.size() >= count;
        });
    Thread.sleep(2_000);
    events.addAll(PUBSUB.pull(name + "-complete-watch"));
    assertEquals("complete events", count, events.size());
    return events;
  }

  private static List<String> eventIds(List<PubsubMessage> events) {
    List<String> ids = new ArrayList<>();
    for (PubsubMessage event : events) {
      ids.add(event.getAttribute("eventId"));
    }
    return ids;
  }
}
