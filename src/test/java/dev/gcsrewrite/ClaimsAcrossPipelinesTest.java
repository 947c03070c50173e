package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.generationKey;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.FaultPoints;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineArgs;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The claim's guarantee where it matters: real streaming pipelines (DirectRunner, in this JVM)
 * reading the Pub/Sub emulator, with a real Redis, against jobs that crash, pipelines that race,
 * and Redis going away while work is in flight.
 */
public class ClaimsAcrossPipelinesTest {
  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a", "b");

  private static final long GENERATION = 1763630102412883L;
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @Test
  public void generationHeldByACrashedJobIsTakenOverWhenItsLeaseEnds() throws Exception {
    buckets.put("held", "AWS held");
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed()))) {
      // The crashed job's claim is taken once job a is up, so that the lease is still live when a
      // first asks however long a took to start: a must wait for it to end.
      long leaseEnd;
      try (ClaimStore store = job.store()) {
        ClaimFixtures.claim(
            store,
            parsed(BUCKET, "held", GENERATION, "earlier"),
            ClaimFixtures.owner("crashed-job", org.joda.time.Duration.standardSeconds(8)));
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
      assertThat(job.pull("dead"), empty());
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
      // Both jobs read the notification, and each has decided it: claimed, or (having waited
      // for the other's lease) found it settled. No claim can be made after that, so the counts
      // below are final.
      Eventually.await("both jobs to decide the notification", PATIENCE, () -> decided(a, b) >= 2);
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
      assertThat(job.pull("dead"), empty());
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
    // Leases long enough that none ends between a claim and its write on a loaded machine: taking
    // a claim over is another test's scenario.
    List<String> longLeases = List.of("--claimLease=60s", "--dedupeTtl=60s");
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed(), longLeases));
        RunningPipeline b = RunningPipeline.start(args("b", processedB, longLeases))) {
      job.publish(notifications);
      Eventually.await("all objects completed", PATIENCE, () -> completed(0, count));
      // Each job read every notification and decides each: claimed, or (having waited for the
      // other's lease) found settled. Once all are settled no claim can be made, so the counts
      // below are final.
      Eventually.await(
          "both jobs to decide every notification", PATIENCE, () -> decided(a, b) >= 2 * count);
      a.assertRunning();
      b.assertRunning();

      assertEquals("claimed once each", count, a.counter("claimed") + b.counter("claimed"));
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
      assertEquals(
          "complete events made",
          count,
          a.counter("auditEvents.complete") + b.counter("auditEvents.complete"));
      assertThat(job.pull("dead"), empty());
    }
  }

  @Test
  public void redisGoingAwayWhileWorkIsInFlightLosesNothingAndRepeatsNothing() throws Exception {
    try (RunningPipeline a = RunningPipeline.start(args("a", buckets.processed()))) {
      // Redis down before the notifications arrive: they wait in ClaimInRedis, unclaimed. A
      // listener on Redis's port shows the claim step asking and failing, again and again.
      REDIS.stop();
      List<PubsubMessage> first = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        buckets.put(object(i), content(i));
        first.add(newObject(object(i), GENERATION, content(i), "m" + i));
      }
      try (RefusingListener refusing = new RefusingListener(REDIS.port())) {
        job.publish(first);
        Eventually.await(
            "the notifications to reach the claim, which keeps failing",
            PATIENCE,
            () -> a.counter("notificationsParsed") >= 6 && refusing.connections() >= 2);
      }
      long restartedAt = System.currentTimeMillis();
      REDIS.start();
      Eventually.await("the first batch settled", PATIENCE, () -> completed(0, 6));
      for (int i = 0; i < 6; i++) {
        long claimedAt = Long.parseLong(record(object(i)).get("claimedAt"));
        assertThat("claimed once Redis was back", claimedAt, greaterThanOrEqualTo(restartedAt));
        assertThat(
            "written after its claim",
            Files.getLastModifiedTime(buckets.output(object(i) + ".processed")).toMillis(),
            greaterThanOrEqualTo(claimedAt));
      }

      // Redis down again between rename and settle: the outputs are in place, settling waits.
      // The sink is held once an output is renamed until Redis is down, so that the outage
      // falls there however fast or slow the machine is.
      CountDownLatch renamed = new CountDownLatch(1);
      CountDownLatch redisDown = new CountDownLatch(1);
      FaultPoints.install(
          (point, claim) -> {
            if (point == FaultPoints.Point.RENAMED) {
              renamed.countDown();
              try {
                redisDown.await();
              } catch (InterruptedException cancelled) {
                Thread.currentThread().interrupt();
              }
            }
            return true;
          });
      try {
        List<PubsubMessage> second = new ArrayList<>();
        for (int i = 6; i < 12; i++) {
          buckets.put(object(i), content(i));
          second.add(newObject(object(i), GENERATION, content(i), "m" + i));
        }
        job.publish(second);
        assertTrue(
            "an output renamed into place, its settlement next",
            renamed.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        List<String> inFlight = claimsInProgress();
        assertThat(inFlight, not(empty()));
        REDIS.stop();
        try (RefusingListener refusing = new RefusingListener(REDIS.port())) {
          redisDown.countDown();
          Eventually.await(
              "the settlements to ask the stopped Redis, again and again",
              PATIENCE,
              () -> refusing.connections() >= 2);
        }
        for (String object : inFlight) {
          assertTrue(object, Files.exists(buckets.output(object + ".processed")));
        }
      } finally {
        redisDown.countDown();
        FaultPoints.clear();
      }
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
      assertThat(job.pull("dead"), empty());
    }
  }

  // ---- fixtures ----

  private List<String> args(String reader, Path processed) {
    return args(reader, processed, List.of("--claimLease=5s", "--dedupeTtl=10s"));
  }

  private List<String> args(String reader, Path processed, List<String> options) {
    PipelineArgs args = job.args(reader).processed(processed);
    options.forEach(args::with);
    return args.build();
  }

  private void publish(PubsubMessage message) {
    job.publish(List.of(message));
  }

  private static byte[] content(int i) {
    return bytes("AWS " + i);
  }

  private static String object(int i) {
    return String.format("obj%02d", i);
  }

  private static String key(String objectId) {
    return generationKey(objectId, GENERATION);
  }

  /** The generation's record, or none while Redis is down. */
  private Map<String, String> record(String objectId) {
    try {
      return job.record(objectId, GENERATION);
    } catch (RuntimeException redisDown) {
      return Map.of();
    }
  }

  /** Notifications the two jobs have decided: claimed, or dropped as settled already. */
  private static long decided(RunningPipeline a, RunningPipeline b) {
    return a.counter("claimed")
        + b.counter("claimed")
        + a.counter("duplicatesSeenByRedis")
        + b.counter("duplicatesSeenByRedis");
  }

  private boolean completed(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!"COMPLETED".equals(record(object(i)).get("state"))) {
        return false;
      }
    }
    return true;
  }

  /** The objects of the second batch whose claim is in progress. */
  private List<String> claimsInProgress() {
    List<String> inProgress = new ArrayList<>();
    for (int i = 6; i < 12; i++) {
      if ("INPROGRESS".equals(record(object(i)).get("state"))) {
        inProgress.add(object(i));
      }
    }
    return inProgress;
  }

  /** Pulls complete events until {@code count} have come; fails if more came by then. */
  private List<PubsubMessage> awaitComplete(int count) throws InterruptedException {
    List<PubsubMessage> events = job.awaitMessages("complete", count, PATIENCE);
    events.addAll(job.pull("complete"));
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

  /**
   * Listens on a stopped Redis's port and closes every connection at once, counting them: each is a
   * client trying Redis and failing.
   */
  private static final class RefusingListener implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    RefusingListener(int port) throws IOException {
      socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket connection = socket.accept()) {
                    connections.incrementAndGet();
                  } catch (IOException closed) {
                    return;
                  }
                }
              },
              "refusing-redis");
      acceptor.start();
    }

    int connections() {
      return connections.get();
    }

    @Override
    public void close() throws IOException, InterruptedException {
      socket.close();
      acceptor.join();
    }
  }
}
