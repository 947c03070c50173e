package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.FailedObject;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.location.ObjectLocations;
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
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The write trigger of {@link WriteProcessedObjects} ({@code WindowForWrite}: the global window,
 * panes fired a pane delay after their first element, in processing time, discarding), step by step
 * in a {@code TestStream} whose watermark stands still until the input ends.
 *
 * <p>The stream is a script: {@code claim <object>} claims the object in Redis (again: the same
 * claim, as a retried bundle sends it) and sends the claim to the write; {@code probe <label>}
 * lists the processed folder at that moment. The runner emits a step only once everything the steps
 * before caused is done, so each probe says exactly what had been written by then.
 *
 * <p>FileIO groups the claims by destination, and the destination is the claim, so each claim has
 * panes of its own: {@link #panesOfTheWrite} groups the trigger's input the same way and asserts
 * its panes with {@code PAssert}'s pane matchers. The outcomes themselves come out of FileIO's
 * finalizing step with no pane information, so their panes cannot be asserted.
 */
public class WriteTriggerTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Duration PANE_DELAY = Duration.standardSeconds(1);
  private static final Duration HALF_A_DELAY = Duration.millis(500);

  /** A pane fires once its delay has passed: a moment after it is up. */
  private static final Duration MOMENT = Duration.millis(1);

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final TupleTag<Claim> CLAIMS = new TupleTag<>("claims") {};
  private static final TupleTag<String> PROBES = new TupleTag<>("probes") {};

  @Test
  public void claimIsWrittenOnePaneDelayAfterItArrivesAndNotBefore() {
    buckets.put("a", "AWS a");
    Run run =
        run(
            script()
                .addElements(at("claim a"))
                .advanceProcessingTime(PANE_DELAY)
                .addElements(at("probe when the delay is up"))
                .advanceProcessingTime(MOMENT)
                .addElements(at("probe a moment later")));

    PAssert.that(run.probes)
        .containsInAnyOrder("when the delay is up: []", "a moment later: [a.processed]");
    PAssert.that(run.panes).inEarlyPane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 0 x1");
    // The input's end closes the window: the pane it fires has nothing left to write.
    PAssert.that(run.panes).inOnTimePane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 1 x0");
    PAssert.that(run.outcomes).containsInAnyOrder("a COMPLETE");
    PAssert.that(run.failures).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP a", buckets.outputText("a.processed"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void copiesOfAClaimWithinOnePaneDelayAreWrittenOnceInOnePane() {
    buckets.put("a", "AWS a");
    Run run =
        run(
            script()
                .addElements(at("claim a"))
                .advanceProcessingTime(HALF_A_DELAY)
                .addElements(at("claim a"), at("probe half a delay later"))
                .advanceProcessingTime(HALF_A_DELAY.plus(MOMENT))
                .addElements(at("probe just after a delay since the first copy")));

    PAssert.that(run.probes)
        .containsInAnyOrder(
            "half a delay later: []", "just after a delay since the first copy: [a.processed]");
    PAssert.that(run.panes).inEarlyPane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 0 x2");
    PAssert.that(run.panes).inOnTimePane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 1 x0");
    PAssert.that(run.outcomes).containsInAnyOrder("a COMPLETE");
    PAssert.that(run.failures).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP a", buckets.outputText("a.processed"));
    assertEquals("one pane, one write", 1, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void copyOfAClaimAfterItsPaneFiredIsWrittenInTheNextPane() {
    buckets.put("a", "AWS a");
    Run run =
        run(
            script()
                .addElements(at("claim a"))
                .advanceProcessingTime(PANE_DELAY.plus(MOMENT))
                .addElements(at("claim a"), at("probe as the copy arrives"))
                .advanceProcessingTime(PANE_DELAY.plus(MOMENT))
                .addElements(at("probe just after a delay since the copy")));

    PAssert.that(run.probes)
        .containsInAnyOrder(
            "as the copy arrives: [a.processed]",
            "just after a delay since the copy: [a.processed]");
    PAssert.that(run.panes)
        .inEarlyPane(GlobalWindow.INSTANCE)
        .containsInAnyOrder("a: pane 0 x1", "a: pane 1 x1");
    PAssert.that(run.panes).inOnTimePane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 2 x0");
    PAssert.that(run.outcomes).containsInAnyOrder("a COMPLETE", "a COMPLETE");
    PAssert.that(run.failures).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP a", buckets.outputText("a.processed"));
    assertEquals("a write per pane", 2, Counters.get(result, "objectsWritten"));
  }

  @Test
  public void claimsOfTwoObjectsAreEachWrittenOnePaneDelayAfterTheirOwnArrival() {
    buckets.put("a", "AWS a");
    buckets.put("b", "AWS b");
    Run run =
        run(
            script()
                .addElements(at("claim a"))
                .advanceProcessingTime(HALF_A_DELAY)
                .addElements(at("claim b"))
                .advanceProcessingTime(HALF_A_DELAY.plus(MOMENT))
                .addElements(at("probe just after a delay since a"))
                .advanceProcessingTime(HALF_A_DELAY)
                .addElements(at("probe just after a delay since b")));

    PAssert.that(run.probes)
        .containsInAnyOrder(
            "just after a delay since a: [a.processed]",
            "just after a delay since b: [a.processed, b.processed]");
    PAssert.that(run.panes)
        .inEarlyPane(GlobalWindow.INSTANCE)
        .containsInAnyOrder("a: pane 0 x1", "b: pane 0 x1");
    PAssert.that(run.panes)
        .inOnTimePane(GlobalWindow.INSTANCE)
        .containsInAnyOrder("a: pane 1 x0", "b: pane 1 x0");
    PAssert.that(run.outcomes).containsInAnyOrder("a COMPLETE", "b COMPLETE");
    PAssert.that(run.failures).empty();
    run.finish();

    assertEquals("GCP b", buckets.outputText("b.processed"));
  }

  @Test
  public void claimStillWaitingWhenTheInputEndsIsWrittenInTheFinalOnTimePane() {
    buckets.put("a", "AWS a");
    Run run =
        run(
            script()
                .addElements(at("claim a"))
                .advanceProcessingTime(HALF_A_DELAY)
                .addElements(at("probe before the delay")));

    PAssert.that(run.probes).containsInAnyOrder("before the delay: []");
    PAssert.that(run.panes).inEarlyPane(GlobalWindow.INSTANCE).empty();
    PAssert.that(run.panes).inOnTimePane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 0 x1");
    PAssert.that(run.panes).inFinalPane(GlobalWindow.INSTANCE).containsInAnyOrder("a: pane 0 x1");
    PAssert.that(run.outcomes).containsInAnyOrder("a COMPLETE");
    PAssert.that(run.failures).empty();
    PipelineResult result = run.finish();

    assertEquals("GCP a", buckets.outputText("a.processed"));
    assertEquals(1, Counters.get(result, "objectsWritten"));
  }

  // ---- fixtures ----

  private static TestStream.Builder<String> script() {
    return TestStream.create(StringUtf8Coder.of()).advanceWatermarkTo(T0);
  }

  private static TimestampedValue<String> at(String step) {
    return TimestampedValue.of(step, T0);
  }

  /** Runs {@code script}, then ends the input: the watermark jumps to the end of time. */
  private Run run(TestStream.Builder<String> script) {
    ObjectLocations locations =
        new ObjectLocations(
            buckets.bucketRoot().toString(), buckets.processed().toString(), ".processed");
    RedisSettings redis = REDIS.settings(job.keyPrefix());
    ClaimSettings claimSettings = ClaimFixtures.owner(TestJob.JOB_NAME);
    PCollectionTuple steps =
        pipeline
            .apply("Script", script.advanceWatermarkToInfinity())
            .apply(
                "Act",
                ParDo.of(new ActFn(redis, claimSettings, buckets.processed().toString()))
                    .withOutputTags(CLAIMS, TupleTagList.of(PROBES)));
    ProcessedObjects processed =
        steps
            .get(CLAIMS)
            .setCoder(ClaimCoder.of())
            .apply(
                WriteProcessedObjects.STEP,
                new WriteProcessedObjects(
                    OutputWriter.of(
                        locations, new TokenRewriter(RewriteRules.parse("AWS=GCP")), claimSettings),
                    redis,
                    PANE_DELAY));
    PCollection<String> outcomes =
        processed
            .outcomes()
            .apply(
                "DescribeOutcomes",
                MapElements.into(TypeDescriptors.strings())
                    .via((Outcome o) -> o.notification().objectId() + " " + o.kind()));
    return new Run(steps.get(PROBES), panesOfTheWrite(pipeline), outcomes, processed);
  }

  /**
   * The panes the write trigger makes: the claims as {@code WindowForWrite} windowed them, grouped
   * by object (these tests claim one generation per object, so this is FileIO's grouping by
   * destination), each pane as {@code <object>: pane <index> x<copies>}.
   */
  private static PCollection<String> panesOfTheWrite(Pipeline pipeline) {
    AtomicReference<PCollection<Claim>> windowed = new AtomicReference<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          @SuppressWarnings("unchecked")
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            if (node.getFullName().equals(WriteProcessedObjects.STEP + "/WindowForWrite")) {
              windowed.set((PCollection<Claim>) node.getOutputs().values().iterator().next());
            }
            return CompositeBehavior.ENTER_TRANSFORM;
          }
        });
    return windowed
        .get()
        .apply(
            "ByObject",
            WithKeys.<String, Claim>of(c -> c.notification().objectId())
                .withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ClaimCoder.of()))
        .apply("GroupLikeFileIO", GroupByKey.create())
        .apply("DescribePanes", ParDo.of(new DescribePaneFn()))
        // PAssert's pane matchers re-window what they check, which needs the lateness stated.
        .apply("StateLateness", Window.<String>configure().withAllowedLateness(Duration.ZERO));
  }

  /** Acts out one step of the script. */
  private static final class ActFn extends DoFn<String, Claim> {
    private final RedisSettings redis;
    private final ClaimSettings claimSettings;
    private final String processed;
    private transient ClaimStore store;

    ActFn(RedisSettings redis, ClaimSettings claimSettings, String processed) {
      this.redis = redis;
      this.claimSettings = claimSettings;
      this.processed = processed;
    }

    @Setup
    public void setUp() throws IOException {
      store = ClaimStore.forPipeline(redis);
    }

    @ProcessElement
    public void process(@Element String step, MultiOutputReceiver out) {
      String argument = step.substring(step.indexOf(' ') + 1);
      if (step.startsWith("claim ")) {
        out.get(CLAIMS)
            .output(ClaimFixtures.claim(store, parsed(BUCKET, argument, 1, "m"), claimSettings));
      } else {
        out.get(PROBES).output(argument + ": " + LocalBuckets.filesBelow(Path.of(processed)));
      }
    }

    @Teardown
    public void tearDown() {
      store.close();
    }
  }

  /** One pane of one claim: which pane, and how many copies of the claim it holds. */
  private static final class DescribePaneFn extends DoFn<KV<String, Iterable<Claim>>, String> {
    @ProcessElement
    public void process(
        @Element KV<String, Iterable<Claim>> pane, PaneInfo info, OutputReceiver<String> out) {
      long copies = StreamSupport.stream(pane.getValue().spliterator(), false).count();
      out.output(pane.getKey() + ": pane " + info.getIndex() + " x" + copies);
    }
  }

  /** What a run's assertions look at. */
  private final class Run {
    final PCollection<String> probes;
    final PCollection<String> panes;
    final PCollection<String> outcomes;
    final PCollection<FailedObject> failures;

    Run(
        PCollection<String> probes,
        PCollection<String> panes,
        PCollection<String> outcomes,
        ProcessedObjects processed) {
      this.probes = probes;
      this.panes = panes;
      this.outcomes = outcomes;
      this.failures = processed.failures();
    }

    PipelineResult finish() {
      return PipelineRuns.runToEnd(pipeline);
    }
  }
}
