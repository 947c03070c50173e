package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.location.SupersededGenerations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.Settlement;
import java.util.List;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles in Redis every claim the work ended with, before anything is announced, keeping each
 * object's output moving forward only.
 *
 * <p>Step {@code Settle} settles a bundle of outcomes in one round trip ({@link
 * ClaimStore#settle}); what Redis knows wins over what FileIO did:
 *
 * <ul>
 *   <li>an output in place: COMPLETED (kept for the retention, with its URI); the object's latest
 *       completed generation moves forward, never back, and its lock is freed;
 *   <li>nothing to write, or a source the writer found vanished or changed: SKIPPED;
 *   <li>a source the writer found unreadable for good (a key, a permission): FAILED, a dead letter
 *       ({@link UnreadableSources}); a replay of its notification may claim it again;
 *   <li>a newer generation completed while this one was written without its lock (its lease ran
 *       out): SKIPPED, superseded, and that newer output is written again (a repair), since this
 *       rename may have landed over it;
 *   <li>whatever the writer had to leave instead of an output (an empty file, part of a rewrite) is
 *       cleaned up, or the newest completed output written again over it.
 * </ul>
 *
 * <p>A generation completed in a bucket that is a local folder drops the older generations of its
 * object from the bucket's generation store ({@link SupersededGenerations}): no one reads them
 * again.
 *
 * <p>Step {@code Release} frees the claims of work that failed for good, so that a fixed
 * notification can be claimed at once, and passes on their dead letters.
 *
 * <p>Its outputs, {@link SettleResults}: each outcome as Redis now records it (to announce), the
 * dead letters, the objects to repair and the empty outputs to clean up. Settling comes before
 * publishing: should the job fail in between, the retried bundle settles again (changing nothing)
 * and publishes then, so events are at least once, and their {@code eventId} drops repeats.
 *
 * <pre>{@code
 * SettleResults settled =
 *     processed.apply(CompleteClaims.STEP, new CompleteClaims(redisSettings, claimSettings));
 * settled.outcomes().apply("Announce", ...);
 * deadLetters.addErrorCollection(settled.failures());
 * }</pre>
 */
public final class CompleteClaims extends PTransform<ProcessedObjects, SettleResults> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "CompleteClaims";

  private static final Logger LOG = LoggerFactory.getLogger(CompleteClaims.class);
  private static final TupleTag<Outcome> SETTLED = new TupleTag<>("settled") {};
  private static final TupleTag<GcsNotification> REPAIR = new TupleTag<>("repair") {};
  private static final TupleTag<Claim> CLEANUP = new TupleTag<>("cleanup") {};

  private final RedisSettings redis;
  private final ClaimSettings claimSettings;
  private final SupersededGenerations superseded;

  public CompleteClaims(
      RedisSettings redis, ClaimSettings claimSettings, SupersededGenerations superseded) {
    this.redis = redis;
    this.claimSettings = claimSettings;
    this.superseded = superseded;
  }

  /** Settles without touching any generation store. */
  public CompleteClaims(RedisSettings redis, ClaimSettings claimSettings) {
    this(redis, claimSettings, SupersededGenerations.none());
  }

  @Override
  public SettleResults expand(ProcessedObjects processed) {
    PCollectionTuple settled =
        processed
            .outcomes()
            .apply(
                "Settle",
                ParDo.of(new SettleFn(redis, claimSettings, superseded))
                    .withOutputTags(
                        SETTLED, TupleTagList.of(DeadLetter.TAG).and(REPAIR).and(CLEANUP)));
    PCollectionTuple released =
        processed
            .failures()
            .apply(
                "Release",
                ParDo.of(new ReleaseFn(redis))
                    .withOutputTags(DeadLetter.TAG, TupleTagList.of(REPAIR)));
    return new SettleResults(
        settled.get(SETTLED),
        PCollectionList.of(settled.get(DeadLetter.TAG))
            .and(released.get(DeadLetter.TAG))
            .apply("AllFailed", Flatten.pCollections()),
        PCollectionList.of(settled.get(REPAIR))
            .and(released.get(REPAIR))
            .apply("AllRepairs", Flatten.pCollections()),
        settled.get(CLEANUP));
  }

  /** Settles a bundle of outcomes in one round trip. */
  static final class SettleFn extends BatchedRedisFn<Outcome, Settlement, Outcome> {
    private final ClaimSettings claimSettings;
    private final SupersededGenerations superseded;

    SettleFn(RedisSettings redis, ClaimSettings claimSettings, SupersededGenerations superseded) {
      super(redis, claimSettings.owner());
      this.claimSettings = claimSettings;
      this.superseded = superseded;
    }

    @Override
    List<Settlement> ask(ClaimStore store, List<Outcome> batch) {
      return store.settle(batch, claimSettings);
    }

    /** The outcome as settled, to announce, with its repair or cleanup on the side. */
    @Override
    @Nullable Routed<?> route(Outcome outcome, Settlement settlement) {
      String key = outcome.notification().generationKey();
      if (settlement.failed()) {
        return ClaimInRedis.recordUnusable(
            outcome.notification(), STEP, "settle", settlement.error());
      }
      if (settlement.settledNow()) {
        PipelineMetrics.CLAIMS_SETTLED.inc();
        LOG.info("Settled {} as {} ({})", key, settlement.state(), settlement.detail());
      } else {
        LOG.info("{} was settled already, as {}", key, settlement.state());
        if (settlement.repair() != null) {
          // This writer's file landed after the settlement, maybe over a newer output: put that
          // back; the generation was announced when it was settled.
          return repairOf(key, settlement, outcome);
        }
        if (settlement.completed() && !outcome.completed()) {
          // Announce what Redis records (again: events are at least once), never the opposite.
          return null;
        }
      }
      if (settlement.completed()) {
        GcsNotification n = outcome.notification();
        superseded.completed(n.bucket(), n.objectId(), n.generation());
      }
      Routed<?> routed;
      if (settlement.unreadable()) {
        // Never announced: a dead letter, and the claim left for a replay to take again.
        if (settlement.settledNow()) {
          PipelineMetrics.SOURCES_UNREADABLE.inc();
        }
        routed =
            Routed.to(
                DeadLetter.TAG,
                UnreadableSources.deadLetter(outcome.notification(), settlement.detail()));
      } else {
        routed =
            Routed.main(settlement.completed() ? outcome : outcome.skippedFor(settlement.detail()));
      }
      if (settlement.repair() != null) {
        routed = routed.and(repairOf(key, settlement, outcome));
      }
      if (settlement.cleanup()) {
        routed = routed.and(Routed.to(CLEANUP, outcome.claim()));
      }
      return routed;
    }

    private static Routed<?> repairOf(String key, Settlement settlement, Outcome outcome) {
      LOG.warn(
          "{} may have been written over generation {}: that output is written again",
          key,
          settlement.repair());
      return Routed.to(REPAIR, outcome.notification());
    }

    @Override
    Routed<?> failed(Outcome outcome, RuntimeException failure) {
      return ClaimInRedis.unexpected(outcome.notification(), STEP, failure);
    }
  }

  /**
   * Releases a bundle of failed claims in one round trip and passes them on as dead letters; an
   * object whose lock was marked dirty meanwhile is repaired, as a settled one's would be.
   */
  static final class ReleaseFn
      extends BatchedRedisFn<FailedObject, ClaimStore.Released, DeadLetter> {
    ReleaseFn(RedisSettings redis) {
      super(redis);
    }

    @Override
    List<ClaimStore.Released> ask(ClaimStore store, List<FailedObject> batch) {
      return store.release(batch.stream().map(FailedObject::claim).toList());
    }

    @Override
    Routed<?> route(FailedObject failed, ClaimStore.Released released) {
      String key = failed.claim().generationKey();
      if (released.held()) {
        PipelineMetrics.CLAIMS_RELEASED.inc();
        LOG.info("Released the claim on {}", key);
      }
      Routed<?> deadLetter = Routed.main(failed.deadLetter());
      if (released.dirty()) {
        LOG.warn("{}'s object was written by a stale writer meanwhile: it is written again", key);
        return deadLetter.and(Routed.to(REPAIR, failed.claim().notification()));
      }
      return deadLetter;
    }

    @Override
    Routed<?> failed(FailedObject failed, RuntimeException failure) {
      // The work had failed already: its own dead letter says why; the claim ends with its lease.
      LOG.warn("Could not release the claim on {}", failed.claim().generationKey(), failure);
      return Routed.main(failed.deadLetter());
    }
  }
}
