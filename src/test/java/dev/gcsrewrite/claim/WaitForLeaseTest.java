package dev.gcsrewrite.claim;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.PipelineRuns;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
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
import redis.clients.jedis.Jedis;

/**
 * The lease-wait timer of {@link ClaimInRedis} on unbounded input ({@code WaitForLease}), step by
 * step in processing time, against a real Redis where another job holds the generation.
 *
 * <p>The {@code TestStream} is a script: {@code notify} sends the generation's notification; {@code
 * probe <label>} reports how many times Redis has run a claim script so far (its own count, from
 * {@code INFO commandstats}); {@code lease ends} ends the other job's lease, as when that job dies
 * and stops renewing it. The runner emits a step only once everything the steps before caused is
 * done, timers included, so each probe counts exactly the asks made by then.
 */
public class WaitForLeaseTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient TestJob job = new TestJob(REDIS);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final String OBJECT = "held.txt";
  private static final long GENERATION = 1764064800000001L;
  private static final ClaimSettings THIS_JOB = ClaimFixtures.owner("this-job");

  /** A timer fires once its time has passed: a moment after it is up. */
  private static final Duration MOMENT = Duration.millis(1);

  private static final TupleTag<GcsNotification> NOTIFICATIONS = new TupleTag<>("notify") {};
  private static final TupleTag<String> PROBES = new TupleTag<>("probes") {};

  @Test
  public void generationHeldByAnotherJobIsAskedAgainAfterTheFirstWaitThenClaimedWhenTheLeaseEnds()
      throws Exception {
    holdForAnotherJob();
    Run run =
        run(
            script()
                .addElements(at("notify"))
                .addElements(at("probe on arrival"))
                .advanceProcessingTime(Duration.millis(500))
                .addElements(at("probe when the first wait is up"))
                .advanceProcessingTime(MOMENT)
                .addElements(at("probe a moment later"))
                // The watermark moves on while the generation waits: the claim must still come
                // out on time, since the waiting timer holds its output at the element's time.
                .advanceWatermarkTo(T0.plus(Duration.standardHours(1)))
                .advanceProcessingTime(Duration.standardSeconds(1))
                .addElements(at("probe when the second wait is up"))
                .advanceProcessingTime(MOMENT)
                .addElements(at("probe a moment after the second wait"))
                .addElements(at("lease ends"))
                .advanceProcessingTime(Duration.standardSeconds(2).plus(MOMENT))
                .addElements(at("probe after the third wait")));

    PAssert.that(run.probes)
        .containsInAnyOrder(
            "on arrival: asked 1",
            "when the first wait is up: asked 1",
            "a moment later: asked 2",
            "when the second wait is up: asked 2",
            "a moment after the second wait: asked 3",
            "after the third wait: asked 4");
    PAssert.that(run.claimedOnTime)
        .inOnTimePane(new IntervalWindow(T0, Duration.standardMinutes(1)))
        .containsInAnyOrder(BUCKET + "/" + OBJECT + "#" + GENERATION);
    PAssert.that(run.claims.toAnnounce()).empty();
    PAssert.that(run.claims.failures()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals("asked again by the timer", 3, asksOf(result, "ClaimInRedis/WaitForLease"));
    assertEquals(1, Counters.get(result, "claimsWaiting"));
    assertEquals(1, Counters.get(result, "claimed"));
    Map<String, String> record = job.record(OBJECT, GENERATION);
    assertEquals("INPROGRESS", record.get("state"));
    assertEquals("this-job", record.get("owner"));
  }

  @Test
  public void waitsDoubleFromHalfASecondToAtMostThirtySeconds() throws Exception {
    holdForAnotherJob();
    long[] waits = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
    TestStream.Builder<String> script = script().addElements(at("notify"));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < waits.length; i++) {
      String wait = "wait " + (i + 1) + " of " + waits[i] + " ms";
      script =
          script
              .advanceProcessingTime(Duration.millis(waits[i]))
              .addElements(at("probe " + wait + " up"))
              .advanceProcessingTime(MOMENT)
              .addElements(at("probe " + wait + " passed"));
      expected.add(wait + " up: asked " + (i + 1));
      expected.add(wait + " passed: asked " + (i + 2));
    }
    // Still held after all that: it waits on, until the lease ends.
    script =
        script
            .addElements(at("lease ends"))
            .advanceProcessingTime(Duration.standardSeconds(30).plus(MOMENT))
            .addElements(at("probe after the lease ended"));
    expected.add("after the lease ended: asked " + (waits.length + 2));
    Run run = run(script);

    PAssert.that(run.probes).containsInAnyOrder(expected);
    PAssert.that(run.claimedOnTime).containsInAnyOrder(BUCKET + "/" + OBJECT + "#" + GENERATION);
    PAssert.that(run.claims.toAnnounce()).empty();
    PAssert.that(run.claims.failures()).empty();
    PipelineResult result = PipelineRuns.runToEnd(pipeline);

    assertEquals(waits.length + 1, asksOf(result, "ClaimInRedis/WaitForLease"));
    assertEquals("this-job", job.record(OBJECT, GENERATION).get("owner"));
  }

  @Test
  public void waitNeverOutlastsTheHoldersLeaseByMoreThanItsMargin() {
    long now = System.currentTimeMillis();
    assertEquals(
        "a lease already over: asked again a second on",
        1_000,
        WaitForLease.nextWaitMillis(now - 5_000, 10));
    assertThat(
        "a lease over in ten seconds: not the thirty-second wait",
        WaitForLease.nextWaitMillis(now + 10_000, 10),
        allOf(greaterThan(9_000L), lessThanOrEqualTo(11_000L)));
    assertEquals(
        "a lease far off: the doubled wait", 4_000, WaitForLease.nextWaitMillis(now + 600_000, 4));
  }

  // ---- fixtures ----

  /** Another job claims the generation, with a lease of ten minutes. */
  private void holdForAnotherJob() throws Exception {
    try (ClaimStore store = job.store()) {
      ClaimFixtures.claim(
          store, parsed(BUCKET, OBJECT, GENERATION, "earlier"), ClaimFixtures.owner("other-job"));
    }
  }

  private static TestStream.Builder<String> script() {
    return TestStream.create(StringUtf8Coder.of()).advanceWatermarkTo(T0);
  }

  private static TimestampedValue<String> at(String step) {
    return TimestampedValue.of(step, T0);
  }

  /** Runs {@code script} through {@code ClaimInRedis}, then ends the input. */
  private Run run(TestStream.Builder<String> script) {
    long before = claimScriptsRun();
    PCollectionTuple steps =
        pipeline
            .apply("Script", script.advanceWatermarkToInfinity())
            .apply(
                "Act",
                ParDo.of(new ActFn(job.keyPrefix(), before))
                    .withOutputTags(NOTIFICATIONS, TupleTagList.of(PROBES)));
    ClaimResults claims =
        steps
            .get(NOTIFICATIONS)
            .setCoder(GcsNotificationCoder.of())
            .apply(ClaimInRedis.STEP, new ClaimInRedis(REDIS.settings(job.keyPrefix()), THIS_JOB));
    return new Run(steps.get(PROBES), claims);
  }

  /** How many times Redis has run a script; the claims are the only scripts these tests run. */
  private static long claimScriptsRun() {
    return REDIS.commandCalls().getOrDefault("evalsha", 0L);
  }

  /** How many times step {@code step} asked Redis about a batch. */
  private static long asksOf(PipelineResult result, String step) {
    long asks = 0;
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(PipelineMetrics.NAMESPACE, "redisBatches"))
                    .addStep(step)
                    .build())
            .getCounters()) {
      asks += counter.getCommitted();
    }
    return asks;
  }

  /** Acts out one step of the script. */
  private static final class ActFn extends DoFn<String, GcsNotification> {
    private final String keyPrefix;
    private final long scriptsBefore;

    ActFn(String keyPrefix, long scriptsBefore) {
      this.keyPrefix = keyPrefix;
      this.scriptsBefore = scriptsBefore;
    }

    @ProcessElement
    public void process(@Element String step, MultiOutputReceiver out) {
      if (step.equals("notify")) {
        out.get(NOTIFICATIONS).output(parsed(BUCKET, OBJECT, GENERATION, "m1"));
      } else if (step.equals("lease ends")) {
        try (Jedis jedis = REDIS.client()) {
          jedis.hset(new ClaimKeys(keyPrefix).lock(BUCKET, OBJECT), "leaseUntil", "0");
        }
      } else {
        String label = step.substring("probe ".length());
        out.get(PROBES).output(label + ": asked " + (claimScriptsRun() - scriptsBefore));
      }
    }
  }

  /** What a run's assertions look at. */
  private static final class Run {
    final PCollection<String> probes;
    final ClaimResults claims;

    /** The claims by generation, in event-time windows of a minute that allow no lateness. */
    final PCollection<String> claimedOnTime;

    Run(PCollection<String> probes, ClaimResults claims) {
      this.probes = probes;
      this.claims = claims;
      this.claimedOnTime =
          claims
              .claimed()
              .apply("Keys", MapElements.into(TypeDescriptors.strings()).via(Claim::generationKey))
              .apply(
                  "MinuteWindows",
                  Window.<String>into(FixedWindows.of(Duration.standardMinutes(1)))
                      .withAllowedLateness(Duration.ZERO))
              .apply("ByKey", WithKeys.of("all"))
              .apply("Group", GroupByKey.create())
              .apply("Values", Values.create())
              .apply("Flatten", Flatten.iterables());
    }
  }
}
