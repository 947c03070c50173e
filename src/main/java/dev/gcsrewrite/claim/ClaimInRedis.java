package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.List;
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
 * Lets a generation through only once this job holds its claim in Redis, so that parallel workers,
 * bundle retries, relaunches and other pipelines sharing the bucket never process it twice.
 *
 * <p>Step {@code Claim} asks Redis about a whole bundle in one round trip ({@link
 * ClaimStore#claim}), and each {@link ClaimDecision} goes:
 *
 * <ul>
 *   <li>{@code CLAIMED}, {@code REENTRANT}: on, as a {@link Claim};
 *   <li>{@code DUPLICATE} (settled already): dropped and counted, unless its complete or skipped
 *       event was never published, which this notification then announces;
 *   <li>{@code SUPERSEDED} (a newer generation is completed): a {@code skipped} outcome, so that
 *       its audit trail has an end;
 *   <li>{@code HELD_BY_ANOTHER_JOB}, {@code OLDER_IN_FLIGHT}: to step {@code WaitForLease} ({@link
 *       WaitForLease}), which asks again until it is decided: never dropped, and taken over if the
 *       holder dies and its lease ends;
 *   <li>{@code FAILED} (its own Redis record is unusable): a dead letter.
 * </ul>
 *
 * <p>Its outputs, {@link ClaimResults}: the claims, the outcomes to announce without work, and the
 * dead letters.
 *
 * <pre>{@code
 * ClaimResults claims =
 *     notifications.apply(ClaimInRedis.STEP, new ClaimInRedis(redisSettings, claimSettings));
 * claims.claimed().apply("Work", ...);
 * deadLetters.addErrorCollection(claims.failures());
 * }</pre>
 */
public final class ClaimInRedis extends PTransform<PCollection<GcsNotification>, ClaimResults> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "ClaimInRedis";

  /** Error type of a generation whose Redis records cannot be used. */
  public static final String CLAIM_RECORD_UNUSABLE = "ClaimRecordUnusable";

  /**
   * How long a settler has to record its event as published before a repeat notification announces
   * it instead: a loaded worker's bundle gets from settling to publishing in less.
   */
  static final Duration ANNOUNCE_GRACE = Duration.standardSeconds(30);

  static final TupleTag<Claim> CLAIMED = new TupleTag<>("claimed") {};
  static final TupleTag<Outcome> TO_ANNOUNCE = new TupleTag<>("superseded") {};
  static final TupleTag<KV<String, GcsNotification>> WAITING = new TupleTag<>("waiting") {};

  private static final Logger LOG = LoggerFactory.getLogger(ClaimInRedis.class);

  private final RedisSettings redis;
  private final ClaimSettings claimSettings;

  public ClaimInRedis(RedisSettings redis, ClaimSettings claimSettings) {
    this.redis = redis;
    this.claimSettings = claimSettings;
  }

  @Override
  public ClaimResults expand(PCollection<GcsNotification> unseen) {
    PCollectionTuple decided =
        unseen.apply(
            "Claim",
            ParDo.of(new ClaimFn(redis, claimSettings))
                .withOutputTags(
                    CLAIMED, TupleTagList.of(WAITING).and(TO_ANNOUNCE).and(DeadLetter.TAG)));
    PCollection<KV<String, GcsNotification>> waiting = decided.get(WAITING);
    PCollectionTuple afterWaiting =
        waiting.apply(
            "WaitForLease",
            ParDo.of(WaitForLease.fn(waiting.isBounded(), redis, claimSettings))
                .withOutputTags(CLAIMED, TupleTagList.of(TO_ANNOUNCE).and(DeadLetter.TAG)));
    return new ClaimResults(
        both(decided, afterWaiting, CLAIMED, "AllClaimed"),
        both(decided, afterWaiting, TO_ANNOUNCE, "AllSuperseded"),
        both(decided, afterWaiting, DeadLetter.TAG, "AllFailed"));
  }

  private static <T> PCollection<T> both(
      PCollectionTuple first, PCollectionTuple second, TupleTag<T> tag, String name) {
    return PCollectionList.of(first.get(tag))
        .and(second.get(tag))
        .apply(name, Flatten.pCollections());
  }

  /**
   * Until when {@code decision} says to wait and ask again, or 0: go on now. It waits for another
   * job's lease, an older generation in flight, or a settler that may still be publishing its event
   * ({@link #ANNOUNCE_GRACE}).
   */
  static long waitUntil(ClaimDecision decision) {
    ClaimDecision.Settled settled = decision.settled();
    return switch (decision.kind()) {
      case HELD_BY_ANOTHER_JOB, OLDER_IN_FLIGHT -> decision.leaseUntilMillis();
      case DUPLICATE -> {
        long due =
            settled == null || settled.announced()
                ? 0
                : settled.settledAtMillis() + ANNOUNCE_GRACE.getMillis();
        yield due > System.currentTimeMillis() ? due : 0;
      }
      default -> 0;
    };
  }

  /**
   * Counts and logs one decision, the single place a claim's state change is reported, and says
   * where the generation goes: on, to wait, to an outcome to announce, to the dead letters, or
   * nowhere (null).
   */
  static BatchedRedisFn.@Nullable Routed<?> route(GcsNotification n, ClaimDecision decision) {
    String key = n.generationKey();
    switch (decision.kind()) {
      case CLAIMED -> {
        PipelineMetrics.CLAIMED.inc();
        String from = decision.owner().isEmpty() ? "" : ": took over from " + decision.owner();
        LOG.info("Claimed {}{}", key, from);
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
        if (waitUntil(decision) > 0) {
          // Settled moments ago: its settler is most likely publishing the event right now.
          LOG.info(
              "Waiting for {}: settled by {}, its event not yet recorded as published",
              key,
              decision.owner());
          return BatchedRedisFn.Routed.to(WAITING, KV.of(key, n));
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
          return BatchedRedisFn.Routed.to(TO_ANNOUNCE, settledOutcome(n, settled));
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
        return BatchedRedisFn.Routed.to(TO_ANNOUNCE, Outcome.superseded(n));
      }
      case HELD_BY_ANOTHER_JOB, OLDER_IN_FLIGHT -> {
        PipelineMetrics.CLAIMS_WAITING.inc();
        LOG.info(
            "Waiting for {}: {} by {} until {}",
            key,
            decision.detail() == null
                ? "claimed"
                : "older generation " + decision.detail() + " held",
            decision.owner(),
            new Instant(decision.leaseUntilMillis()));
        return BatchedRedisFn.Routed.to(WAITING, KV.of(key, n));
      }
      case FAILED -> {
        return recordUnusable(n, STEP, "claim", decision.detail());
      }
    }
    throw new IllegalStateException("unknown claim decision " + decision.kind());
  }

  /** The outcome a settled record describes, to be announced again. */
  private static Outcome settledOutcome(GcsNotification n, ClaimDecision.Settled settled) {
    Claim claim = new Claim(n, settled.token());
    return settled.state().equals("COMPLETED")
        ? Outcome.complete(claim, settled.detail(), settled.outputBytes())
        : Outcome.skipped(claim, settled.detail());
  }

  /** A dead letter for {@code n}, whose own Redis record {@code step} could not use. */
  static BatchedRedisFn.Routed<?> recordUnusable(
      GcsNotification n, String step, String doing, @Nullable String error) {
    String message = "Redis could not " + doing + " " + n.generationKey() + ": " + error;
    return BatchedRedisFn.Routed.to(
        DeadLetter.TAG,
        new DeadLetter(n.original(), step, CLAIM_RECORD_UNUSABLE, message, Instant.now()));
  }

  /**
   * A dead letter for {@code n}, whose decision in {@code step} failed on a defect of this code.
   */
  static BatchedRedisFn.Routed<?> unexpected(
      GcsNotification n, String step, RuntimeException failure) {
    return BatchedRedisFn.Routed.to(
        DeadLetter.TAG, Failures.unexpected(n.original(), step, failure));
  }

  /** Claims a bundle of generations in one round trip. */
  static final class ClaimFn extends BatchedRedisFn<GcsNotification, ClaimDecision, Claim> {
    private final ClaimSettings claimSettings;

    ClaimFn(RedisSettings redis, ClaimSettings claimSettings) {
      super(redis, claimSettings.owner());
      this.claimSettings = claimSettings;
    }

    @Override
    List<ClaimDecision> ask(ClaimStore store, List<GcsNotification> batch) {
      return store.claim(batch, claimSettings);
    }

    @Override
    @Nullable Routed<?> route(GcsNotification n, ClaimDecision decision) {
      return ClaimInRedis.route(n, decision);
    }

    @Override
    Routed<?> failed(GcsNotification n, RuntimeException failure) {
      return unexpected(n, STEP, failure);
    }
  }
}
