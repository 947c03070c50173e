package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.RunningPipeline;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import redis.clients.jedis.Jedis;

/**
 * The reconcile command end to end, through the jar's front door: real folders as buckets, a real
 * Redis and the Pub/Sub emulator; alone, after earlier runs, as a dry run, and racing a streaming
 * pipeline that processes the same bucket.
 */
public class ReconcileTest {
  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final LocalBuckets buckets = new LocalBuckets();
  @Rule public final TestJob job = new TestJob(REDIS, buckets).onEmulator(PUBSUB, "a");

  private static final Duration PATIENCE = Duration.ofSeconds(120);

  @Test
  public void preExistingFilesAreEachWrittenAndAnnouncedOnce() throws Exception {
    Map<String, String> files = files("old", 30, 0);

    CommandRun run = reconcile();

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("listed           30 current generations"));
    assertEquals(30, counter(run, "written"));
    assertOutputs(files);
    assertEquals(eventsOnePerFile(files), eventIdCounts(pullAll("complete", 30)));
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void generationsSettledBeforeAreLeftAloneAndTheRestProcessed() throws Exception {
    Map<String, String> first = files("first", 12, 0);
    assertEquals(ExitCode.OK, reconcile().code());
    pullAll("complete", 12);
    Map<String, String> later = files("later", 7, 100);
    // An output reconcile must not touch again: settled generations are dropped by their claim.
    Files.writeString(buckets.output("first000.processed"), "left alone");

    CommandRun second = reconcile();

    assertEquals(second.err(), ExitCode.OK, second.code());
    assertEquals(19, counter(second, "listed"));
    assertEquals(12, counter(second, "already settled"));
    assertEquals(7, counter(second, "claimed"));
    assertEquals(7, counter(second, "written"));
    assertEquals("left alone", buckets.outputText("first000.processed"));
    first.remove("first000");
    assertOutputs(first);
    assertOutputs(later);
    assertEquals(eventsOnePerFile(later), eventIdCounts(pullAll("complete", 7)));
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void aGenerationHeldByACrashedJobIsWaitedForThenTakenOver() throws Exception {
    Map<String, String> files = files("held", 1, 0);
    long generation =
        Files.getLastModifiedTime(buckets.source("held000")).to(TimeUnit.MICROSECONDS);
    // A job that claimed the generation and died: its lease outlasts reconcile's start, so
    // reconcile must wait in its bounded WaitForLease, then take the claim over.
    try (ClaimStore store = job.store()) {
      store.claim(
          List.of(Notifications.parsed(BUCKET, "held000", generation, "earlier")),
          new ClaimSettings(
              "crashed-job",
              org.joda.time.Duration.standardSeconds(25),
              org.joda.time.Duration.standardDays(1)));
    }

    CommandRun run = reconcile();

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("claimed          1 (after waiting for another job: 1)"));
    assertEquals(1, counter(run, "written"));
    assertOutputs(files);
    assertEquals(eventsOnePerFile(files), eventIdCounts(pullAll("complete", 1)));
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void generationsHeldByAJobNamedStoppedAreTakenOverWithoutWaiting() throws Exception {
    Map<String, String> files = files("cancelled", 3, 0);
    // A cancelled job's claims, with leases long enough to show any wait (the run then fails).
    claimAs("cancelled-job", files.keySet());

    CommandRun run = reconcile("--stopped-job=cancelled-job");

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("claimed          3 (after waiting for another job: 0)"));
    assertEquals(3, counter(run, "written"));
    assertOutputs(files);
    assertEquals(eventsOnePerFile(files), eventIdCounts(pullAll("complete", 3)));
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void aJobNamedStoppedIsRefusedWhileItRunsUnderThatNameAndTakenOverOnceItStops()
      throws Exception {
    Map<String, String> files = files("left", 3, 0);
    // Claims of an earlier run of job-a, which the run below, relaunched under its name, shares.
    claimAs("job-a", files.keySet());
    Map<String, String> claimsBefore = lockRecords(files.keySet());
    try (RunningPipeline relaunched = RunningPipeline.start(job.args("a").build())) {
      // Its workers beat once it has claimed something.
      long live =
          Files.getLastModifiedTime(buckets.put("live000", "AWS live")).to(TimeUnit.MICROSECONDS);
      job.publish(List.of(Notifications.newObject("live000", live, bytes("AWS live"), "l")));
      pullAll("complete", 1);
      relaunched.assertRunning();

      CommandRun refused = reconcile("--stopped-job=job-a");

      assertEquals(refused.out() + refused.err(), ExitCode.REFUSED, refused.code());
      assertThat(
          refused.err(), containsString("reconcile: job job-a runs: one of its workers beats"));
      assertEquals(1, refused.err().lines().count());
      assertEquals(claimsBefore, lockRecords(files.keySet()));
      assertEquals(List.of("live000.processed"), buckets.outputs());
    }

    CommandRun run = reconcile("--stopped-job=job-a");

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("reconcile: job job-a beat lately"));
    assertThat(run.out(), containsString("claimed          3 (after waiting for another job: 0)"));
    assertOutputs(files);
    assertEquals(eventsOnePerFile(files), eventIdCounts(pullAll("complete", 3)));
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void dryRunCountsByStateAndChangesNothing() throws Exception {
    files("done", 3, 0);
    assertEquals(ExitCode.OK, reconcile("--prefix=done").code());
    Map<String, String> todo = files("todo", 4, 50);
    long held = Files.getLastModifiedTime(buckets.source("todo003")).to(TimeUnit.MICROSECONDS);
    try (ClaimStore store = job.store()) {
      store.claim(
          List.of(Notifications.parsed(BUCKET, "todo003", held, "elsewhere")),
          new ClaimSettings(
              "another-job",
              org.joda.time.Duration.standardMinutes(10),
              org.joda.time.Duration.standardDays(1)));
    }
    List<String> keysBefore = redisKeys();
    List<String> outputsBefore = buckets.outputs();

    CommandRun dry = reconcile("--dry-run", "--show=2");

    assertEquals(dry.err(), ExitCode.OK, dry.code());
    assertThat(dry.out(), containsString("listed      7 current generations"));
    assertThat(dry.out(), containsString("unclaimed   3"));
    assertThat(dry.out(), containsString("completed   3"));
    assertThat(dry.out(), containsString("in flight   1"));
    assertThat(dry.out(), containsString(BUCKET + "/todo003#" + held + "  (another-job)"));
    assertThat(dry.out(), containsString("skipped     0"));
    assertThat(dry.out(), containsString(BUCKET + "/todo000#"));
    assertThat(dry.out(), containsString(BUCKET + "/todo001#"));
    assertThat(dry.out(), not(containsString(BUCKET + "/todo002#")));
    assertEquals(keysBefore, redisKeys());
    assertEquals(outputsBefore, buckets.outputs());
    for (String object : todo.keySet()) {
      assertThat(outputsBefore, not(org.hamcrest.Matchers.hasItem(object + ".processed")));
    }
    assertThat(job.pull("dead"), empty());
  }

  @Test
  public void dryRunOnABucketWithAGenerationStoreLeavesEveryFileLinkAndKeyAsItWas()
      throws Exception {
    buckets.putGeneration("kept000", 1_700_000_000_000_001L, "AWS kept");
    buckets.putGeneration("kept001", 1_700_000_000_000_002L, "AWS first");
    buckets.putGeneration("kept001", 1_700_000_000_000_003L, "AWS overwritten");
    assertEquals(ExitCode.OK, reconcile().code());
    pullAll("complete", 2);
    pullAll("processing", 2);
    // Written since, by hand: the store does not know them, and a run would keep them there.
    Map<String, String> fresh = files("fresh", 2, 0);
    long freshGeneration =
        Files.getLastModifiedTime(buckets.source("fresh000")).to(TimeUnit.MICROSECONDS);
    List<String> treeBefore = fileTree();
    List<String> keysBefore = redisKeys();

    CommandRun dry = reconcile("--dry-run");

    assertEquals(dry.err(), ExitCode.OK, dry.code());
    assertThat(dry.out(), containsString("unclaimed   2"));
    assertThat(dry.out(), containsString("completed   2"));
    assertThat(dry.out(), containsString(BUCKET + "/fresh000#" + freshGeneration));
    assertEquals(treeBefore, fileTree());
    assertEquals(keysBefore, redisKeys());
    for (String topic : List.of("processing", "complete", "dead")) {
      assertThat(topic, job.pull(topic), empty());
    }
    // The same listing in a run keeps the generations the dry run named.
    assertEquals(ExitCode.OK, reconcile().code());
    assertThat(fileTree(), not(treeBefore));
    assertOutputs(fresh);
    assertEquals(eventsOnePerFile(fresh), eventIdCounts(pullAll("complete", 2)));
  }

  @Test
  public void reconcileRacingAStreamingPipelineWritesEachGenerationOnce() throws Exception {
    int count = 200;
    Map<String, String> expected = new TreeMap<>();
    List<PubsubMessage> notifications = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String object = String.format("race%03d", i);
      String content = "AWS race " + i + " on AWS";
      long generation = 1_700_000_000_000_000L + i;
      buckets.putGeneration(object, generation, content);
      expected.put(object, content.replace("AWS", "GCP"));
      notifications.add(
          Notifications.newObject(
              object, generation, content.getBytes(StandardCharsets.UTF_8), "m" + i));
    }
    try (RunningPipeline streaming = RunningPipeline.start(job.args("a").build())) {
      CompletableFuture<CommandRun> reconcile = CompletableFuture.supplyAsync(this::reconcile);
      for (int from = 0; from < count; from += 20) {
        job.publish(notifications.subList(from, from + 20));
      }
      CommandRun run = reconcile.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(run.err(), ExitCode.OK, run.code());
      assertEquals(count, counter(run, "listed"));
      long byReconcile = counter(run, "sink writes");
      Eventually.await(
          "every generation written by one of them",
          PATIENCE,
          () -> streaming.counter("objectsWritten") + byReconcile >= count);
      Eventually.await(
          "the streaming job has settled what it claimed",
          PATIENCE,
          () -> streaming.counter("claimsSettled") >= streaming.counter("claimed"));
      streaming.assertRunning();

      assertEquals(count, streaming.counter("objectsWritten") + byReconcile);
      assertEquals(count, streaming.counter("claimed") + counter(run, "claimed"));
      System.out.printf(
          "race: streaming wrote %d, reconcile wrote %d%n",
          streaming.counter("objectsWritten"), byReconcile);
    }
    assertOutputs(expected);
    Map<String, Integer> events = eventIdCounts(pullAll("complete", count));
    Map<String, Integer> once = new TreeMap<>();
    for (String object : expected.keySet()) {
      long generation = 1_700_000_000_000_000L + Integer.parseInt(object.substring(4));
      once.put(Notifications.generationKey(object, generation) + ":complete", 1);
    }
    assertEquals(once, events);
    assertThat(job.pull("dead"), empty());
  }

  /** {@code count} files {@code <prefix>NNN} carrying tokens, dated apart; name -> rewrite. */
  private Map<String, String> files(String prefix, int count, int minutesAgo) throws Exception {
    Map<String, String> expected = new TreeMap<>();
    Instant base = Instant.now().minusSeconds(60L * (minutesAgo + 1));
    for (int i = 0; i < count; i++) {
      String object = String.format("%s%03d", prefix, i);
      String content = "AWS " + object + " and AWS again";
      Files.setLastModifiedTime(
          buckets.put(object, content), FileTime.from(base.plusMillis(37L * i)));
      expected.put(object, content.replace("AWS", "GCP"));
    }
    return expected;
  }

  private void assertOutputs(Map<String, String> expected) {
    expected.forEach(
        (object, rewrite) ->
            assertEquals(object, rewrite, buckets.outputText(object + ".processed")));
  }

  private Map<String, Integer> eventsOnePerFile(Map<String, String> files) throws Exception {
    Map<String, Integer> once = new TreeMap<>();
    for (String object : files.keySet()) {
      long micros = Files.getLastModifiedTime(buckets.source(object)).to(TimeUnit.MICROSECONDS);
      once.put(Notifications.generationKey(object, micros) + ":complete", 1);
    }
    return once;
  }

  /** Pulls {@code topic} until {@code atLeast} messages came, and what else came by then. */
  private List<PubsubMessage> pullAll(String topic, int atLeast) throws Exception {
    List<PubsubMessage> all = job.awaitMessages(topic, atLeast, PATIENCE);
    all.addAll(job.pull(topic));
    return all;
  }

  private static Map<String, Integer> eventIdCounts(List<PubsubMessage> messages) {
    Map<String, Integer> counts = new TreeMap<>();
    for (PubsubMessage message : messages) {
      counts.merge(message.getAttribute("eventId"), 1, Integer::sum);
    }
    return counts;
  }

  /** Claims each of {@code objects}' current generation as {@code owner}, for 90 s. */
  private void claimAs(String owner, Set<String> objects) throws IOException {
    try (ClaimStore store = job.store()) {
      for (String object : objects) {
        long generation =
            Files.getLastModifiedTime(buckets.source(object)).to(TimeUnit.MICROSECONDS);
        store.claim(
            List.of(Notifications.parsed(BUCKET, object, generation, "earlier")),
            new ClaimSettings(
                owner,
                org.joda.time.Duration.standardSeconds(90),
                org.joda.time.Duration.standardDays(1)));
      }
    }
  }

  /** The record and the lock of each of {@code objects}' current generation, as Redis has them. */
  private Map<String, String> lockRecords(Set<String> objects) throws IOException {
    Map<String, String> records = new TreeMap<>();
    for (String object : objects) {
      long generation = Files.getLastModifiedTime(buckets.source(object)).to(TimeUnit.MICROSECONDS);
      records.put(
          object, job.record(object, generation) + " " + job.records().lock(BUCKET, object));
    }
    return records;
  }

  /**
   * Every folder and file below the bucket root, the generation store included: path, size, inode
   * and link count, so that a link made or removed shows.
   */
  private List<String> fileTree() throws IOException {
    List<String> tree = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(buckets.bucketRoot())) {
      for (Path path : paths.sorted().toList()) {
        Map<String, Object> unix =
            Files.readAttributes(path, "unix:size,ino,nlink", LinkOption.NOFOLLOW_LINKS);
        tree.add(buckets.bucketRoot().relativize(path) + " " + new TreeMap<>(unix));
      }
    }
    return tree;
  }

  /**
   * The test's Redis records with their values, but the heartbeats of earlier runs, which lapse.
   */
  private List<String> redisKeys() {
    try (Jedis jedis = REDIS.client()) {
      Set<String> keys = jedis.keys(job.keyPrefix() + "*");
      keys.removeIf(key -> key.startsWith(new ClaimKeys(job.keyPrefix()).job("")));
      Map<String, String> withValues = new HashMap<>();
      for (String key : keys) {
        String value =
            switch (jedis.type(key)) {
              case "hash" -> jedis.hgetAll(key).toString();
              case "set" -> new TreeSet<>(jedis.smembers(key)).toString();
              default -> jedis.get(key);
            };
        withValues.put(key, value + (jedis.pttl(key) > 0 ? " expiring" : ""));
      }
      return new ArrayList<>(
          new TreeMap<>(withValues).entrySet().stream().map(Object::toString).toList());
    }
  }

  private CommandRun reconcile(String... extra) {
    List<String> args = new ArrayList<>();
    args.add("reconcile");
    args.add("--bucket=" + BUCKET);
    args.addAll(List.of(extra));
    args.addAll(job.args("r").build());
    return CommandRun.of(GcsRewriteCli::execute, args);
  }

  /** A number of a reconcile run's summary, e.g. {@code written} in "written 7 outputs". */
  private static long counter(CommandRun run, String label) {
    Matcher m = Pattern.compile("\n  " + Pattern.quote(label) + " +([0-9]+)").matcher(run.out());
    if (label.equals("sink writes")) {
      m = Pattern.compile("\\(([0-9]+) sink writes\\)").matcher(run.out());
    }
    if (!m.find()) {
      throw new AssertionError("no '" + label + "' in the summary:\n" + run.out() + run.err());
    }
    return Long.parseLong(m.group(1));
  }
}
