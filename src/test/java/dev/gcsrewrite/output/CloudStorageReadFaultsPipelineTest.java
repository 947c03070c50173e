package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.gcsrewrite.audit.AuditContext;
import dev.gcsrewrite.audit.PublishAuditEvents;
import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.CompleteClaims;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.DiscardingTopics;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.RecordingStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Writing, settling, repairing and announcing together (FileIO, real Redis, Cloud Storage at the
 * level of the storage client's requests) when sources fail in the middle of their reads: each
 * object ends as exactly one output, skip or dead letter, and the others complete.
 */
public class CloudStorageReadFaultsPipelineTest {
  private static final RecordingStorage STORAGE = new RecordingStorage();
  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
  private static final long G1 = 1764064800000001L;
  private static final long G2 = 1764064800000002L;
  private static final byte[] LARGE =
      ("AWS" + "x".repeat(1024 * 1024)).getBytes(StandardCharsets.UTF_8);
  private static final String CSEK_MESSAGE =
      "The target object is encrypted by a customer-supplied encryption key.";

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestJob testJob = new TestJob(REDIS, buckets);

  private ObjectLocations locations;
  private RedisSettings redis;
  private final ClaimSettings job = ClaimFixtures.owner(TestJob.JOB_NAME);

  @Before
  public void setUp() {
    locations = new ObjectLocations("gs://", buckets.processed().toString(), ".processed");
    redis = REDIS.settings(testJob.keyPrefix());
  }

  @Test
  public void midReadVanishesAreSkippedAndACustomerEncryptedSourceIsOneDeadLetter()
      throws Exception {
    Files.createDirectories(buckets.processed());
    // Overwritten while it was read, over generation 1's output, which must stay.
    String overwritten = testJob.name() + "-overwritten.txt";
    STORAGE.put(BUCKET, overwritten, G1, bytes("AWS one"));
    completedEarlier(parsed(BUCKET, overwritten, G1, "m0"), "GCP one");
    vanishingAfterPartOfItsRead(overwritten);
    // Deleted while it was read, with no output before it: none after it either.
    String deleted = testJob.name() + "-deleted.txt";
    vanishingAfterPartOfItsRead(deleted);
    // Encrypted with a key the pipeline does not have: its lookup succeeds, every read is refused.
    String csek = testJob.name() + "-csek.txt";
    STORAGE.put(BUCKET, csek, G2, LARGE);
    STORAGE.refuseDownloads(
        BUCKET,
        csek,
        G2,
        Integer.MAX_VALUE,
        400,
        "resourceIsEncryptedWithCustomerEncryptionKey",
        CSEK_MESSAGE);
    String plain = testJob.name() + "-plain.txt";
    STORAGE.put(BUCKET, plain, G2, bytes("AWS plain"));

    Run run = run(List.of(claim(overwritten), claim(deleted), claim(csek), claim(plain)));

    PAssert.that(run.outcomes)
        .containsInAnyOrder(
            overwritten + " SKIPPED sourceVanished",
            deleted + " SKIPPED sourceVanished",
            plain + " COMPLETE");
    PAssert.that(run.events)
        .containsInAnyOrder(overwritten + " skipped", deleted + " skipped", plain + " complete");
    PAssert.that(run.deadLetters)
        .containsInAnyOrder(
            "m-"
                + csek
                + " WriteProcessedObjects SourceUnreadable cannot read gs://"
                + BUCKET
                + "/"
                + csek
                + "#"
                + G2
                + ": 400 resourceIsEncryptedWithCustomerEncryptionKey: "
                + CSEK_MESSAGE);
    PAssert.that(run.repaired)
        .containsInAnyOrder("REPAIRED " + BUCKET + "/" + overwritten + "#" + G1);
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals("GCP one", buckets.outputText(overwritten + ".processed"));
    assertFalse(Files.exists(buckets.output(deleted + ".processed")));
    assertFalse(Files.exists(buckets.output(csek + ".processed")));
    assertEquals("GCP plain", buckets.outputText(plain + ".processed"));
    assertEquals("FAILED", testJob.record(csek, G2).get("state"));
    assertEquals(
        "no lock left behind",
        List.of(),
        List.of(overwritten, deleted, csek, plain).stream()
            .filter(o -> testJob.records().lock(BUCKET, o).get("generation") != null)
            .toList());
    assertEquals(2, Counters.get(result, "sourceVanishedDuringWrite"));
    assertEquals(1, Counters.get(result, "sourcesUnreadable"));
    assertEquals(1, Counters.get(result, "outputsRepaired"));
    assertEquals(2, Counters.get(result, "emptyOutputsRemoved"));
  }

  // ---- fixtures ----

  /** Generation 2 of {@code objectId} breaks after 600 KiB of its read, and is gone by then. */
  private static void vanishingAfterPartOfItsRead(String objectId) {
    STORAGE.put(BUCKET, objectId, G2, LARGE);
    STORAGE.breakDownload(
        BUCKET, objectId, G2, 600 * 1024, () -> STORAGE.remove(BUCKET, objectId, G2));
  }

  private void completedEarlier(GcsNotification n, String output) throws Exception {
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      ClaimFixtures.complete(store, n, job, locations.outputSpec(BUCKET, n.objectId()));
    }
    Files.writeString(buckets.output(n.objectId() + ".processed"), output);
  }

  private Claim claim(String objectId) throws Exception {
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      return ClaimFixtures.claim(store, parsed(BUCKET, objectId, G2, "m-" + objectId), job);
    }
  }

  private Run run(List<Claim> claims) {
    OutputWriter writer =
        new OutputWriter(
            locations, new CloudStorageSource(unused -> STORAGE.client()), REWRITER, job);
    ProcessedObjects processed =
        pipeline
            .apply(Create.of(claims).withCoder(ClaimCoder.of()))
            .apply(new WriteProcessedObjects(writer, redis, Duration.millis(100)));
    SettleResults settled = processed.apply("Settle", new CompleteClaims(redis, job));
    PCollection<String> repaired =
        settled
            .apply("Repair", new RepairOutputs(writer, redis))
            .apply(
                "RepairedKeys",
                MapElements.into(TypeDescriptors.strings())
                    .via(o -> o.kind() + " " + o.notification().generationKey()));
    PCollection<PubsubMessage> events =
        PCollectionList.of(settled.outcomes())
            .apply(
                "Announce",
                PublishAuditEvents.complete(new AuditContext(TestJob.JOB_NAME, locations), redis)
                    .to("projects/test-project/topics/complete")
                    .withWriter(new DiscardingTopics()))
            .output();
    return new Run(
        settled
            .outcomes()
            .apply(
                "DescribeOutcomes",
                MapElements.into(TypeDescriptors.strings())
                    .via(CloudStorageReadFaultsPipelineTest::describe)),
        events.apply(
            "DescribeEvents",
            MapElements.into(TypeDescriptors.strings())
                .via(m -> m.getAttribute("objectId") + " " + m.getAttribute("eventType"))),
        settled
            .failures()
            .apply(
                "DescribeDeadLetters",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        d ->
                            d.original().messageId()
                                + " "
                                + d.errorStage()
                                + " "
                                + d.errorType()
                                + " "
                                + d.errorMessage())),
        repaired);
  }

  private static String describe(Outcome o) {
    return o.notification().objectId()
        + " "
        + (o.reason() == null ? "COMPLETE" : "SKIPPED " + o.reason());
  }

  /** What the pipeline under test returns, described as strings. */
  private record Run(
      PCollection<String> outcomes,
      PCollection<String> events,
      PCollection<String> deadLetters,
      PCollection<String> repaired) {}
}
