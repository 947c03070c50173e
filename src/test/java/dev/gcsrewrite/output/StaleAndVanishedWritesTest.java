package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static dev.gcsrewrite.testing.Notifications.parsedDescribing;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.CompleteClaims;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Writing, settling and repairing together (FileIO, real Redis, folders keeping generations), for
 * what no retry mends: a generation that vanishes between its lookup and its read, and a stale
 * writer whose rename lands after a newer generation's.
 */
public class StaleAndVanishedWritesTest {
  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
  private static final long G1 = 1764064800000001L;
  private static final long G2 = 1764064800000002L;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestJob testJob = new TestJob(REDIS, buckets);

  private ObjectLocations locations;
  private RedisSettings redis;
  private final ClaimSettings job =
      new ClaimSettings("job", Duration.millis(300), Duration.standardDays(1));

  @Before
  public void setUp() {
    locations =
        new ObjectLocations(
            buckets.bucketRoot().toString(), buckets.processed().toString(), ".processed");
    redis = REDIS.settings(testJob.keyPrefix());
  }

  @Test
  public void generationVanishedBeforeItsReadKeepsThePreviousOutputAndIsSkipped() throws Exception {
    Path output = Files.createDirectories(buckets.processed()).resolve("a.txt.processed");
    Files.writeString(output, "GCP the previous generation's output");
    Claim claim = claim(parsed(BUCKET, "a.txt", G1, "m1"), lease(10_000));

    Run run = run(List.of(claim), new VanishingSource());

    PAssert.that(run.outcomes).containsInAnyOrder("a.txt#" + G1 + " SKIPPED sourceVanished");
    PAssert.that(run.repaired).empty();
    PAssert.that(run.deadLetters).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP the previous generation's output", Files.readString(output));
    assertEquals(1, Counters.get(result, "sourceVanishedDuringWrite"));
    assertEquals("lock released", null, lock("a.txt").get("generation"));
  }

  @Test
  public void generationVanishedWithNoOutputYetLeavesNoEmptyFileBehind() throws Exception {
    Claim claim = claim(parsed(BUCKET, "b.txt", G1, "m1"), lease(10_000));

    Run run = run(List.of(claim), new VanishingSource());

    PAssert.that(run.outcomes).containsInAnyOrder("b.txt#" + G1 + " SKIPPED sourceVanished");
    PAssert.that(run.deadLetters).empty();
    PipelineResult result = run.finish();

    assertFalse(Files.exists(buckets.output("b.txt.processed")));
    assertEquals(1, Counters.get(result, "emptyOutputsRemoved"));
    assertEquals("lock released", null, lock("b.txt").get("generation"));
  }

  @Test
  public void staleWritersLateRenameOverANewerOutputIsRepaired() throws Exception {
    buckets.setVersioned(true);
    buckets.putGeneration("c.txt", G1, "AWS one");
    buckets.putGeneration("c.txt", G2, "AWS two");
    // This job claimed generation 1, then stalled past its lease (its lease keeper too)...
    Claim stale;
    try (ClaimStore frozen = ClaimStore.forCommand(redis)) {
      stale = ClaimFixtures.claim(frozen, parsed(BUCKET, "c.txt", G1, "m1"), job);
    }
    testJob.records().awaitLeaseEnd(BUCKET, "c.txt");
    // ...while another job claimed generation 2, wrote it and settled it.
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      ClaimSettings other =
          new ClaimSettings("other", Duration.standardMinutes(1), Duration.standardDays(1));
      ClaimFixtures.complete(
          store, parsed(BUCKET, "c.txt", G2, "m2"), other, locations.outputSpec(BUCKET, "c.txt"));
    }
    Files.createDirectories(buckets.processed());
    Files.writeString(buckets.output("c.txt.processed"), "GCP two");

    // Now the stale job's write of generation 1 goes on: its rename lands over generation 2's.
    Run run = run(List.of(stale), new LocalFolderSource(locations.bucketRoot()));

    PAssert.that(run.outcomes).containsInAnyOrder("c.txt#" + G1 + " SKIPPED superseded");
    PAssert.that(run.repaired).containsInAnyOrder("REPAIRED " + BUCKET + "/c.txt#" + G2);
    PAssert.that(run.deadLetters).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP two", buckets.outputText("c.txt.processed"));
    assertEquals(1, Counters.get(result, "outputsRepaired"));
    assertEquals(Long.toString(G2), latest("c.txt"));
    assertEquals(null, lock("c.txt").get("generation"));
  }

  @Test
  public void repairReadingOtherContentThanItsGenerationsWritesNothing() throws Exception {
    RepairRun run = repairOf("d.txt", "AWS not what was notified");

    PAssert.that(run.repaired).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals("GCP one", buckets.outputText("d.txt.processed"));
    assertEquals("no temporary file left", List.of("d.txt.processed"), processedFolder());
    assertEquals(1, Counters.get(result, "sourceChanged"));
    assertEquals(0, Counters.get(result, "outputsRepaired"));
    assertEquals("lock released", null, lock("d.txt").get("generation"));
  }

  @Test
  public void repairReadingItsGenerationAsNotifiedWritesItAgain() throws Exception {
    RepairRun run = repairOf("e.txt", "AWS two");

    PAssert.that(run.repaired).containsInAnyOrder("REPAIRED " + BUCKET + "/e.txt#" + G2);
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals("GCP two", buckets.outputText("e.txt.processed"));
    assertEquals(List.of("e.txt.processed"), processedFolder());
    assertEquals(0, Counters.get(result, "sourceChanged"));
    assertEquals(1, Counters.get(result, "outputsRepaired"));
  }

  // ---- fixtures ----

  /**
   * Generation 2 of {@code objectId}, notified as "AWS two" and completed, is to be written again
   * over a stale "GCP one", while the bucket keeps {@code stored} as that generation's content.
   */
  private RepairRun repairOf(String objectId, String stored) throws Exception {
    buckets.setVersioned(true);
    buckets.putGeneration(objectId, G2, stored);
    GcsNotification g2 =
        parsedDescribing(BUCKET, objectId, G2, "m2", "AWS two".getBytes(StandardCharsets.UTF_8));
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      ClaimFixtures.complete(store, g2, job, locations.outputSpec(BUCKET, objectId));
    }
    Files.createDirectories(buckets.processed());
    Files.writeString(buckets.output(objectId + ".processed"), "GCP one");
    SettleResults settled =
        new SettleResults(
            pipeline.apply("NoOutcomes", Create.empty(TypeDescriptor.of(Outcome.class))),
            pipeline.apply("NoFailures", Create.empty(TypeDescriptor.of(DeadLetter.class))),
            pipeline.apply("ToRepair", Create.of(g2)),
            pipeline.apply("NoCleanups", Create.empty(TypeDescriptor.of(Claim.class))));
    OutputWriter writer =
        new OutputWriter(locations, new LocalFolderSource(locations.bucketRoot()), REWRITER, job);
    return new RepairRun(keys(settled.apply("Repair", new RepairOutputs(writer, redis))));
  }

  private List<String> processedFolder() throws IOException {
    try (Stream<Path> files = Files.list(buckets.processed())) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private record RepairRun(PCollection<String> repaired) {}

  private Run run(List<Claim> claims, GenerationSource sources) {
    OutputWriter writer = new OutputWriter(locations, sources, REWRITER, job);
    ProcessedObjects processed =
        pipeline
            .apply(Create.of(claims).withCoder(ClaimCoder.of()))
            .apply(new WriteProcessedObjects(writer, redis, Duration.millis(100)));
    SettleResults settled = processed.apply("Settle", new CompleteClaims(redis, job));
    PCollection<String> repaired = keys(settled.apply("Repair", new RepairOutputs(writer, redis)));
    PCollection<String> outcomes =
        settled
            .outcomes()
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(StaleAndVanishedWritesTest::describe));
    return new Run(outcomes, repaired, settled.failures());
  }

  /** The generation keys of the repaired outcomes. */
  private static PCollection<String> keys(PCollection<Outcome> repaired) {
    return repaired.apply(
        "RepairedKeys",
        MapElements.into(TypeDescriptors.strings())
            .via(o -> o.kind() + " " + o.notification().generationKey()));
  }

  private static String describe(Outcome o) {
    return o.notification().objectId()
        + "#"
        + o.notification().generation()
        + " "
        + o.kind().name().replace("COMPLETE", "COMPLETED")
        + (o.reason() == null ? "" : " " + o.reason());
  }

  private Claim claim(GcsNotification n, ClaimSettings claimSettings) throws Exception {
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      return ClaimFixtures.claim(store, n, claimSettings);
    }
  }

  private ClaimSettings lease(long millis) {
    return new ClaimSettings("job", Duration.millis(millis), Duration.standardDays(1));
  }

  private Map<String, String> lock(String objectId) {
    return testJob.records().lock(BUCKET, objectId);
  }

  private @Nullable String latest(String objectId) {
    return testJob.records().latest(BUCKET, objectId);
  }

  /** A generation found by its lookup, and gone when the writer opens it. */
  private static final class VanishingSource implements GenerationSource {
    @Override
    public long sizeOf(GcsNotification notification) {
      return 7;
    }

    @Override
    public ReadableByteChannel open(GcsNotification notification) throws IOException {
      throw new NoSuchFileException(notification.generationKey());
    }
  }

  /** A built pipeline and what it returns. */
  private final class Run {
    final PCollection<String> outcomes;
    final PCollection<String> repaired;
    final PCollection<DeadLetter> deadLetters;

    Run(
        PCollection<String> outcomes,
        PCollection<String> repaired,
        PCollection<DeadLetter> deadLetters) {
      this.outcomes = outcomes;
      this.repaired = repaired;
      this.deadLetters = deadLetters;
    }

    PipelineResult finish() {
      return PipelineRuns.runToEnd(pipeline);
    }
  }
}
