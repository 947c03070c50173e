package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.CompleteClaims;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A processed bucket that refuses every write (a lost role, a read-only folder) holds the work
 * back, counted and logged, and the work goes on once it takes writes again: nothing is
 * dead-lettered, nothing fails its bundle.
 */
public class RefusedOutputsTest {
  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
  private static final long G1 = 1764064800000001L;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final transient TestJob testJob = new TestJob(REDIS, buckets);

  private ObjectLocations locations;
  private RedisSettings redis;
  private final ClaimSettings job =
      new ClaimSettings("job", Duration.standardSeconds(10), Duration.standardDays(1));

  @Before
  public void setUp() {
    locations =
        new ObjectLocations(
            buckets.bucketRoot().toString(), buckets.processed().toString(), ".processed");
    redis = REDIS.settings(testJob.keyPrefix());
    WritableOutputs.forget();
  }

  @Test
  public void processedBucketRefusingWritesHoldsTheWorkUntilItTakesWritesAgain() throws Exception {
    buckets.setVersioned(true);
    List<Claim> claims = new ArrayList<>();
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      for (String name : List.of("a.txt", "dir/b.txt", "c.txt")) {
        buckets.putGeneration(name, G1, "AWS " + name);
        claims.add(ClaimFixtures.claim(store, parsed(BUCKET, name, G1, "m-" + name), job));
      }
    }
    refuseWrites();
    long refusedBefore = WritableOutputs.REFUSALS.get();
    CompletableFuture<Void> fixed =
        CompletableFuture.runAsync(
            () -> {
              try {
                awaitRefusals(refusedBefore + 2);
                Files.delete(buckets.processed());
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    OutputWriter writer =
        new OutputWriter(locations, new LocalFolderSource(locations.bucketRoot()), REWRITER, job);
    SettleResults settled =
        pipeline
            .apply(Create.of(claims).withCoder(ClaimCoder.of()))
            .apply(new WriteProcessedObjects(writer, redis, Duration.millis(100)))
            .apply("Settle", new CompleteClaims(redis, job));
    PCollection<String> outcomes =
        settled
            .outcomes()
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((Outcome o) -> o.notification().objectId() + " " + o.kind()));
    PAssert.that(outcomes)
        .containsInAnyOrder("a.txt COMPLETE", "dir/b.txt COMPLETE", "c.txt COMPLETE");
    PAssert.that(settled.failures()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);
    fixed.get(1, TimeUnit.SECONDS);

    assertEquals("GCP a.txt", buckets.outputText("a.txt.processed"));
    assertEquals("GCP dir/b.txt", buckets.outputText("dir/b.txt.processed"));
    assertEquals("GCP c.txt", buckets.outputText("c.txt.processed"));
    assertTrue("every failed check counted", Counters.get(result, "outputRefused") >= 2);
    assertEquals("the checks leave no file behind", List.of(), checkFiles());
  }

  @Test
  public void writableBucketIsCheckedOnceAndTheCheckLeavesNothingBehind() throws Exception {
    String directory = locations.outputDirectory();
    long refusedBefore = WritableOutputs.REFUSALS.get();

    WritableOutputs.await(directory);
    WritableOutputs.await(directory);

    assertEquals(refusedBefore, WritableOutputs.REFUSALS.get());
    assertEquals(List.of(), checkFiles());
  }

  @Test
  public void claimWaitingBehindAnotherClaimsCheckOfARefusedBucketStopsWhenInterrupted()
      throws Exception {
    refuseWrites();
    String directory = locations.outputDirectory();
    long refusedBefore = WritableOutputs.REFUSALS.get();
    Claimant checking = Claimant.awaiting(directory);
    awaitRefusals(refusedBefore + 1);
    Claimant waiting = Claimant.awaiting(directory);
    try {
      // However far it got (queued for the check's lock, or not there yet), an interrupted claim
      // stops: a work item cancelled behind an hours-long refusal frees its thread.
      waiting.thread().interrupt();
      assertThat(waiting.ended().get(10, TimeUnit.SECONDS), instanceOf(InterruptedException.class));
      assertFalse("the check goes on for the claim that holds it", checking.ended().isDone());
    } finally {
      checking.thread().interrupt();
      waiting.thread().interrupt();
    }
    assertThat(checking.ended().get(10, TimeUnit.SECONDS), instanceOf(InterruptedException.class));
  }

  /** A thread in {@link WritableOutputs#await}, as a claim's; {@code ended} holds what it threw. */
  private record Claimant(Thread thread, CompletableFuture<Throwable> ended) {
    static Claimant awaiting(String directory) {
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  WritableOutputs.await(directory);
                  ended.complete(null);
                } catch (Throwable e) {
                  ended.complete(e);
                }
              });
      thread.start();
      return new Claimant(thread, ended);
    }
  }

  /**
   * Makes every create under the processed folder fail, for any user (root included, whom a
   * read-only mode would not stop), as a bucket without the role does: a file takes its path.
   */
  private void refuseWrites() throws IOException {
    Files.createDirectories(buckets.processed().getParent());
    Files.writeString(buckets.processed(), "not a folder");
  }

  private static void awaitRefusals(long atLeast) throws InterruptedException {
    Eventually.await(
        "the refused bucket checked " + atLeast + " times",
        java.time.Duration.ofSeconds(60),
        () -> WritableOutputs.REFUSALS.get() >= atLeast);
  }

  /** The write checks' files anywhere under the processed folder. */
  private List<String> checkFiles() throws IOException {
    try (Stream<Path> files = Files.walk(buckets.processed())) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.contains("write-check"))
          .toList();
    }
  }
}
