package dev.gcsrewrite.claim;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code WaitForLease} of {@link ClaimInRedis}: keeps each generation that must wait (another
 * job holds it, an older generation of its object is in flight, or its settler may still be
 * publishing its event) and asks Redis again until it is decided, as often as needed.
 *
 * <p>The waits are {@link #nextWaitMillis}'s: 0.5 s, doubling, at most 30 s, and never later than
 * just after the holder's lease ends. Two ways to wait, with the same input and outputs:
 *
 * <ul>
 *   <li>{@link TimerFn}, for unbounded input: a processing-time timer per generation, whose output
 *       timestamp holds the watermark at the element's (it is pending work, not done);
 *   <li>{@link InBundleFn}, for bounded runs (the reconcile command): asks about the bundle's
 *       waiting generations together, a round trip each time, and lets the bundle finish only when
 *       all are decided. Runners differ on when, or whether, processing-time timers fire once a
 *       bounded input is exhausted, and a generation dropped then would never be settled.
 * </ul>
 *
 * <p>Its input is keyed by generation ({@code <bucket>/<objectId>#<generation>}): a second
 * notification of a generation already waiting is a duplicate, since the first stands for both.
 */
final class WaitForLease {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimInRedis.class);

  /** Asked again this long after the lease's end, so that Redis has expired it. */
  private static final Duration MARGIN = Duration.standardSeconds(1);

  /** The first wait; it doubles each time. */
  private static final Duration FIRST_POLL = Duration.millis(500);

  /** The longest wait between two questions. */
  private static final Duration MAX_POLL = Duration.standardSeconds(30);

  private WaitForLease() {}

  /** The DoFn for a {@code bounded} or unbounded input. */
  static DoFn<KV<String, GcsNotification>, Claim> fn(
      PCollection.IsBounded bounded, RedisSettings redis, ClaimSettings claimSettings) {
    return bounded == PCollection.IsBounded.BOUNDED
        ? new InBundleFn(redis, claimSettings)
        : new TimerFn(redis, claimSettings);
  }

  /**
   * How long to wait before asking the {@code times}-th time (from 1), when the holder's lease ends
   * at {@code leaseUntilMillis}.
   */
  static long nextWaitMillis(long leaseUntilMillis, int times) {
    long untilLeaseEnd =
        Math.max(0, leaseUntilMillis - System.currentTimeMillis()) + MARGIN.getMillis();
    long poll = Math.min(MAX_POLL.getMillis(), FIRST_POLL.getMillis() << Math.min(times - 1, 10));
    return Math.min(untilLeaseEnd, poll);
  }

  /** Waits with a timer per generation, its notification in state meanwhile. */
  static final class TimerFn extends ClaimStoreFn<KV<String, GcsNotification>, Claim> {
    private static final String WAITING = "waiting";
    private static final String ASKED = "asked";
    private static final String AGAIN = "again";

    @StateId(WAITING)
    private final StateSpec<ValueState<GcsNotification>> waitingSpec =
        StateSpecs.value(GcsNotificationCoder.of());

    @StateId(ASKED)
    private final StateSpec<ValueState<Integer>> askedSpec = StateSpecs.value(VarIntCoder.of());

    @TimerId(AGAIN)
    private final TimerSpec againSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    private final ClaimSettings claimSettings;

    TimerFn(RedisSettings redis, ClaimSettings claimSettings) {
      super(redis, claimSettings.owner());
      this.claimSettings = claimSettings;
    }

    @ProcessElement
    public void process(
        @Element KV<String, GcsNotification> element,
        @Timestamp Instant timestamp,
        @StateId(WAITING) ValueState<GcsNotification> waiting,
        @StateId(ASKED) ValueState<Integer> asked,
        @TimerId(AGAIN) Timer again) {
      if (waiting.read() != null) {
        PipelineMetrics.DUPLICATES.inc();
        return;
      }
      waiting.write(element.getValue());
      asked.write(1);
      again.withOutputTimestamp(timestamp).offset(FIRST_POLL).setRelative();
    }

    @OnTimer(AGAIN)
    public void askAgain(
        OnTimerContext context,
        @StateId(WAITING) ValueState<GcsNotification> waiting,
        @StateId(ASKED) ValueState<Integer> asked,
        @TimerId(AGAIN) Timer again,
        MultiOutputReceiver out) {
      GcsNotification n = waiting.read();
      if (n == null) {
        return;
      }
      PipelineMetrics.REDIS_BATCHES.inc();
      ClaimDecision decision = store().claim(List.of(n), claimSettings).get(0);
      long until = ClaimInRedis.waitUntil(decision);
      if (until > 0) {
        Integer before = asked.read();
        int times = before == null ? 1 : before + 1;
        asked.write(times);
        again
            .withOutputTimestamp(context.timestamp())
            .offset(Duration.millis(nextWaitMillis(until, times)))
            .setRelative();
        return;
      }
      BatchedRedisFn.Routed<?> route = ClaimInRedis.route(n, decision);
      waiting.clear();
      asked.clear();
      if (route != null) {
        emit(out, route);
      }
    }

    private static <T> void emit(MultiOutputReceiver out, BatchedRedisFn.Routed<T> route) {
      out.get(Objects.requireNonNull(route.tag(), "a claim decision without an output"))
          .output(route.value());
    }
  }

  /** Waits inside the bundle, asking about all its waiting generations in one round trip. */
  static final class InBundleFn
      extends BatchedRedisFn<KV<String, GcsNotification>, @Nullable ClaimDecision, Claim> {
    private final ClaimSettings claimSettings;

    InBundleFn(RedisSettings redis, ClaimSettings claimSettings) {
      super(redis, claimSettings.owner());
      this.claimSettings = claimSettings;
    }

    /** The decision that ends each one's wait; null for a second one of a generation. */
    @Override
    List<@Nullable ClaimDecision> ask(ClaimStore store, List<KV<String, GcsNotification>> batch) {
      List<@Nullable ClaimDecision> decided =
          new ArrayList<>(Collections.nCopies(batch.size(), null));
      List<Integer> pending = new ArrayList<>();
      Set<String> keys = new HashSet<>();
      for (int i = 0; i < batch.size(); i++) {
        if (keys.add(batch.get(i).getKey())) {
          pending.add(i);
        } else {
          PipelineMetrics.DUPLICATES.inc();
        }
      }
      long wait = FIRST_POLL.getMillis();
      for (int times = 1; !pending.isEmpty(); times++) {
        sleep(wait);
        List<GcsNotification> asking = pending.stream().map(i -> batch.get(i).getValue()).toList();
        PipelineMetrics.REDIS_BATCHES.inc();
        List<ClaimDecision> decisions = store.claim(asking, claimSettings);
        List<Integer> still = new ArrayList<>();
        long leaseEnd = Long.MAX_VALUE;
        for (int j = 0; j < pending.size(); j++) {
          long until = ClaimInRedis.waitUntil(decisions.get(j));
          if (until > 0) {
            still.add(pending.get(j));
            leaseEnd = Math.min(leaseEnd, until);
          } else {
            decided.set(pending.get(j), decisions.get(j));
          }
        }
        if (!still.isEmpty()) {
          LOG.info(
              "{} generations still wait for another claim (asked {} times)", still.size(), times);
        }
        pending = still;
        wait = nextWaitMillis(leaseEnd, times + 1);
      }
      return decided;
    }

    @Override
    @Nullable Routed<?> route(
        KV<String, GcsNotification> element, @Nullable ClaimDecision decision) {
      return decision == null ? null : ClaimInRedis.route(element.getValue(), decision);
    }

    @Override
    Routed<?> failed(KV<String, GcsNotification> element, RuntimeException failure) {
      return ClaimInRedis.unexpected(element.getValue(), ClaimInRedis.STEP, failure);
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a claim", e);
      }
    }
  }
}
