package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.work.Claim;
import dev.gcsrewrite.work.ClaimCoder;
import dev.gcsrewrite.work.Outcome;
import dev.gcsrewrite.work.OutcomeCoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code ClaimInRedis}: lets a generation through only once this job holds its claim, so that
 * parallel workers, bundle retries, relaunches and other pipelines sharing the bucket never process
 * it twice.
 *
 * <p>{@code Claim} asks Redis about a whole bundle in one round trip. CLAIMED and REENTRANT go on;
 * DUPLICATE (settled already) is dropped and counted, unless its complete or skipped event was
 * never published, which it then announces; SUPERSEDED (a newer generation is completed) ends as a
 * {@code skipped} outcome, so that its audit trail has an end; FAILED (its own Redis record is
 * unusable) becomes a dead letter; ELSEWHERE (another job's lease is live) goes to {@code
 * WaitForLease}, which keeps the notification in state with a timer at the lease's end and asks
 * again then, as often as needed, so that a generation is never dropped because someone else was
 * working on it: if that job dies, its lease ends and this one takes over. In a bounded run (the
 * reconcile command) {@code WaitForLease} waits inside the bundle instead ({@link WaitInBundleFn}).
 */
public final class ClaimInRedis extends PTransform<PCollection<GcsNotification>, ClaimResults> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "ClaimInRedis";

  /** Error type of a generation whose Redis records cannot be used. */
  public static final String CLAIM_RECORD_UNUSABLE = "ClaimRecordUnusable";

  private static final Logger LOG = LoggerFactory.getLogger(ClaimInRedis.class);
  private static final TupleTag<Claim> CLAIMED = new TupleTag<>("claimed") {};
  private static final TupleTag<Outcome> SUPERSEDED = new TupleTag<>("superseded") {};
  private static final TupleTag<KV<String, ParkedClaim>> PARKED = new TupleTag<>("parked") {};

  private final RedisSettings redis;
  private final ClaimSettings policy;

  public ClaimInRedis(RedisSettings redis, ClaimSettings policy) {
    this.redis = redis;
    this.policy = policy;
  }

  @Override
  public ClaimResults expand(PCollection<GcsNotification> unseen) {
    PCollectionTuple decided =
        unseen.apply(
            "Claim",
            ParDo.of(new ClaimFn(redis, policy))
                .withOutputTags(
                    CLAIMED, TupleTagList.of(PARKED).and(SUPERSEDED).and(DeadLetter.TAG)));
    PCollection<KV<String, ParkedClaim>> parked =
        decided.get(PARKED).setCoder(KvCoder.of(StringUtf8Coder.of(), ParkedClaimCoder.of()));
    TupleTagList others = TupleTagList.of(SUPERSEDED).and(DeadLetter.TAG);
    // A bounded run (reconcile) waits inside the bundle: its processing-time timers would depend
    // on the runner's end-of-input behaviour. Same step name, same outputs.
    PCollectionTuple afterWaiting =
        parked.isBounded() == PCollection.IsBounded.BOUNDED
            ? parked.apply(
                "WaitForLease",
                ParDo.of(new WaitInBundleFn(redis, policy)).withOutputTags(CLAIMED, others))
            : parked.apply(
                "WaitForLease",
                ParDo.of(new WaitForLeaseFn(redis, policy)).withOutputTags(CLAIMED, others));
    return new ClaimResults(
        both(decided, afterWaiting, CLAIMED, "AllClaimed", ClaimCoder.of()),
        both(decided, afterWaiting, SUPERSEDED, "AllSuperseded", OutcomeCoder.of()),
        both(decided, afterWaiting, DeadLetter.TAG, "AllFailed", DeadLetterCoder.of()));
  }

  private static <T> PCollection<T> both(
      PCollectionTuple first,
      PCollectionTuple second,
      TupleTag<T> tag,
      String name,
      Coder<T> coder) {
    return PCollectionList.of(first.get(tag).setCoder(coder))
        .and(second.get(tag).setCoder(coder))
        .apply(name, Flatten.pCollections())
        .setCoder(coder);
  }

  /**
   * How long a settled generation's own settler has to record its event as published before a
   * repeat notification announces it instead: long enough for a bundle to get from settling to
   * publishing on a loaded worker, short enough that a crash's unannounced events go out soon.
   */
  static final Duration ANNOUNCE_GRACE = Duration.standardSeconds(30);

  /**
   * When a settled generation whose event is not recorded as published may be announced by a repeat
   * notification: {@link #ANNOUNCE_GRACE} after it was settled; 0 for any other decision.
   */
  static long announcementDue(ClaimDecision decision) {
    ClaimDecision.Settled settled = decision.settled();
    if (decision.outcome() != ClaimOutcome.DUPLICATE || settled == null || settled.announced()) {
      return 0;
    }
    return settled.settledAtMillis() + ANNOUNCE_GRACE.getMillis();
  }

  /**
   * Until when {@code decision} says to wait and ask again (another owner's lease, an older
   * generation in flight, an announcement that is still due from its settler), or 0: go on now.
   */
  static long waitUntil(ClaimDecision decision) {
    if (decision.outcome() == ClaimOutcome.ELSEWHERE || decision.outcome() == ClaimOutcome.BEHIND) {
      return decision.leaseUntilMillis();
    }
    long due = announcementDue(decision);
    return due > System.currentTimeMillis() ? due : 0;
  }

  /** The outcome a settled record describes, to be announced again. */
  private static Outcome settledOutcome(GcsNotification n, ClaimDecision.Settled settled) {
    return settled.state().equals("COMPLETED")
        ? new Outcome(
            Outcome.Kind.COMPLETE,
            n,
            settled.token(),
            settled.outputUri(),
            settled.outputBytes(),
            null)
        : new Outcome(Outcome.Kind.SKIPPED, n, settled.token(), null, -1, settled.reason());
  }

  /**
   * Counts and logs one decision, the single place a claim's state change is reported, and says
   * where the generation goes: on, to wait, to a skipped outcome, to the dead letters, or nowhere.
   */
  static BatchedRedisFn.@Nullable Routed<?> route(GcsNotification n, ClaimDecision decision) {
    String key = n.generationKey();
    switch (decision.outcome()) {
      case CLAIMED -> {
        PipelineMetrics.CLAIMED.inc();
        if (decision.owner().isEmpty()) {
          LOG.info("Claimed {}", key);
        } else {
          LOG.info("Claimed {}: took over from {}, whose lease ended", key, decision.owner());
        }
        return BatchedRedisFn.Routed.to(CLAIMED, new Claim(n, decision.token()));
      }
      case REENTRANT -> {
        PipelineMetrics.CLAIMS_REENTRANT.inc();
        LOG.info("Claimed {} again: this job held it already (a retry)", key);
        return BatchedRedisFn.Routed.to(CLAIMED, new Claim(n, decision.token()));
      }
      case DUPLICATE -> {
        PipelineMetrics.DUPLICATES.inc();
        PipelineMetrics.DUPLICATES_IN_REDIS.inc();
        ClaimDecision.Settled settled = decision.settled();
        long announcedBy = announcementDue(decision);
        if (announcedBy > System.currentTimeMillis()) {
          // Settled moments ago: its settler is most likely publishing the event right now.
          LOG.info(
              "Waiting for {}: settled by {}, its event not yet recorded as published",
              key,
              decision.owner());
          return BatchedRedisFn.Routed.to(
              PARKED, KV.of(key, new ParkedClaim(n, decision.owner(), announcedBy)));
        }
        if (settled != null && !settled.announced()) {
          // Settled, but its event was never published (a crash or a cancel between settling and
          // publishing): this repeat announces it, with the same eventId, instead of being dropped.
          PipelineMetrics.ANNOUNCED_LATE.inc();
          LOG.info(
              "Announcing {} (message {}): {} by {}, but its event was never published",
              key,
              n.messageId(),
              settled.state(),
              decision.owner());
          return BatchedRedisFn.Routed.to(SUPERSEDED, settledOutcome(n, settled));
        }
        LOG.info(
            "Dropped {} (message {}): already {} by {}",
            key,
            n.messageId(),
            decision.detail(),
            decision.owner());
        return null;
      }
      case SUPERSEDED -> {
        PipelineMetrics.SUPERSEDED.inc();
        LOG.info("Skipped {}: superseded by generation {}", key, decision.detail());
        return BatchedRedisFn.Routed.to(SUPERSEDED, Outcome.superseded(n));
      }
      case ELSEWHERE, BEHIND -> {
        PipelineMetrics.CLAIMS_WAITING.inc();
        if (decision.outcome() == ClaimOutcome.ELSEWHERE) {
          LOG.info(
              "Waiting for {}: claimed by {} until {}",
              key,
              decision.owner(),
              new Instant(decision.leaseUntilMillis()));
        } else {
          LOG.info(
              "Waiting for {}: older generation {} is in flight ({}, until {})",
              key,
              decision.detail(),
              decision.owner(),
              new Instant(decision.leaseUntilMillis()));
        }
        return BatchedRedisFn.Routed.to(
            PARKED, KV.of(key, new ParkedClaim(n, decision.owner(), decision.leaseUntilMillis())));
      }
      case FAILED -> {
        return BatchedRedisFn.Routed.to(
            DeadLetter.TAG,
            new DeadLetter(
                n.original(),
                STEP,
                CLAIM_RECORD_UNUSABLE,
                "Redis could not claim " + key + ": " + decision.detail(),
                Instant.now()));
      }
    }
    throw new IllegalStateException("unknown claim outcome " + decision.outcome());
  }

  /** Claims a bundle of generations in one round trip. */
  static final class ClaimFn extends BatchedRedisFn<GcsNotification, Claim> {
    private final ClaimSettings policy;

    ClaimFn(RedisSettings redis, ClaimSettings policy) {
      super(redis);
      this.policy = policy;
    }

    @Override
    List<BatchedRedisFn.@Nullable Routed<?>> decide(ClaimStore store, List<GcsNotification> batch) {
      List<ClaimDecision> decisions = store.claim(batch, policy);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        routes.add(route(batch.get(i), decisions.get(i)));
      }
      return routes;
    }

    @Override
    BatchedRedisFn.Routed<?> failed(GcsNotification n, RuntimeException failure) {
      return BatchedRedisFn.Routed.to(
          DeadLetter.TAG, Failures.unexpected(n.original(), STEP, failure));
    }
  }

  /**
   * Keeps a generation that must wait (another job holds it, or an older generation of its object
   * is in flight) and asks again: soon at first, then less often, and at the latest when the
   * holder's lease ends, as often as needed. The timer holds the watermark at the element's
   * timestamp: the element is pending work, not done.
   */
  static final class WaitForLeaseFn extends ClaimStoreFn<KV<String, ParkedClaim>, Claim> {
    /** Asked again this long after the lease's end, so that Redis has expired it. */
    static final Duration MARGIN = Duration.standardSeconds(1);

    /** The first wait when nothing is known of how long the holder will take; it doubles. */
    static final Duration FIRST_POLL = Duration.millis(500);

    /** The longest wait between two questions. */
    static final Duration MAX_POLL = Duration.standardSeconds(30);

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

    private final ClaimSettings policy;

    WaitForLeaseFn(RedisSettings redis, ClaimSettings policy) {
      super(redis);
      this.policy = policy;
    }

    @ProcessElement
    public void process(
        @Element KV<String, ParkedClaim> parked,
        @Timestamp Instant timestamp,
        @StateId(WAITING) ValueState<GcsNotification> waiting,
        @StateId(ASKED) ValueState<Integer> asked,
        @TimerId(AGAIN) Timer again) {
      if (waiting.read() != null) {
        // A second notification of a generation already waiting: the first one stands for both.
        PipelineMetrics.DUPLICATES.inc();
        return;
      }
      waiting.write(parked.getValue().notification());
      asked.write(1);
      arm(again, parked.getValue().leaseUntilMillis(), 1, timestamp);
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
      ClaimDecision decision = store().claim(List.of(n), policy).get(0);
      long until = waitUntil(decision);
      if (until > 0) {
        int times = asked.read() == null ? 1 : asked.read() + 1;
        asked.write(times);
        arm(again, until, times, context.timestamp());
        return;
      }
      BatchedRedisFn.Routed<?> route = route(n, decision);
      waiting.clear();
      asked.clear();
      if (route != null) {
        emit(out, route);
      }
    }

    private static <T> void emit(MultiOutputReceiver out, BatchedRedisFn.Routed<T> route) {
      TupleTag<T> tag = route.tag();
      if (tag == null) {
        throw new IllegalStateException("a claim decision without an output");
      }
      out.get(tag).output(route.value());
    }

    /**
     * Asks again after the {@code times}-th wait: 0.5 s, 1 s, 2 s... up to 30 s, and never later
     * than just after the holder's lease ends.
     */
    private static void arm(Timer timer, long leaseUntilMillis, int times, Instant hold) {
      long untilLeaseEnd =
          Math.max(0, leaseUntilMillis - System.currentTimeMillis()) + MARGIN.getMillis();
      long poll = Math.min(MAX_POLL.getMillis(), FIRST_POLL.getMillis() << Math.min(times - 1, 10));
      timer
          .withOutputTimestamp(hold)
          .offset(Duration.millis(Math.min(untilLeaseEnd, poll)))
          .setRelative();
    }
  }
}
