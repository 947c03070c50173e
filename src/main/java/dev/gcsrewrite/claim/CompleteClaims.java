package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.work.Claim;
import dev.gcsrewrite.work.ClaimCoder;
import dev.gcsrewrite.work.FailedObject;
import dev.gcsrewrite.work.Outcome;
import dev.gcsrewrite.work.OutcomeCoder;
import dev.gcsrewrite.work.ProcessedObjects;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code CompleteClaims}: settles every claim the work ended with, before anything is
 * announced, and keeps each object's output moving forward only.
 *
 * <p>An output in place makes its record COMPLETED (kept for the retention, with the output URI)
 * and moves the object's latest completed generation forward, never back, and releases the object's
 * lock; a generation with nothing to write becomes SKIPPED. Settling goes by what Redis knows: a
 * writer that found its source vanished or changed makes it SKIPPED whatever FileIO did; a newer
 * generation completed while this one was written without its lock (a lease that ran out) makes it
 * SKIPPED, superseded, and its object's newest output is written again (a repair), since this
 * rename may have landed over it. A generation that failed for good has its claim released, so a
 * fixed notification can be claimed at once, and goes on as a dead letter; one whose own record
 * Redis cannot use is a dead letter too.
 *
 * <p>Order: the claim is settled first and the event published after, from this step's output.
 * Should the job fail in between, Beam retries the bundle: settling again changes nothing and the
 * event is published then. Events are therefore at least once, never lost, and their deterministic
 * {@code eventId} lets consumers drop repeats.
 */
public final class CompleteClaims extends PTransform<ProcessedObjects, SettledClaims> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "CompleteClaims";

  private static final Logger LOG = LoggerFactory.getLogger(CompleteClaims.class);
  private static final TupleTag<Outcome> SETTLED = new TupleTag<>("settled") {};
  private static final TupleTag<GcsNotification> REPAIR = new TupleTag<>("repair") {};
  private static final TupleTag<Claim> CLEANUP = new TupleTag<>("cleanup") {};

  private final RedisSettings redis;
  private final ClaimSettings policy;

  public CompleteClaims(RedisSettings redis, ClaimSettings policy) {
    this.redis = redis;
    this.policy = policy;
  }

  @Override
  public SettledClaims expand(ProcessedObjects processed) {
    PCollectionTuple settled =
        processed
            .outcomes()
            .apply(
                "Settle",
                ParDo.of(new SettleFn(redis, policy))
                    .withOutputTags(
                        SETTLED, TupleTagList.of(DeadLetter.TAG).and(REPAIR).and(CLEANUP)));
    PCollection<DeadLetter> released =
        processed
            .failures()
            .apply("Release", ParDo.of(new ReleaseFn(redis)))
            .setCoder(DeadLetterCoder.of());
    return new SettledClaims(
        settled.get(SETTLED).setCoder(OutcomeCoder.of()),
        PCollectionList.of(settled.get(DeadLetter.TAG).setCoder(DeadLetterCoder.of()))
            .and(released)
            .apply("AllFailed", Flatten.pCollections())
            .setCoder(DeadLetterCoder.of()),
        settled.get(REPAIR).setCoder(GcsNotificationCoder.of()),
        settled.get(CLEANUP).setCoder(ClaimCoder.of()));
  }

  /** Settles a bundle of outcomes in one round trip. */
  static final class SettleFn extends BatchedRedisFn<Outcome, Outcome> {
    private final ClaimSettings policy;

    SettleFn(RedisSettings redis, ClaimSettings policy) {
      super(redis);
      this.policy = policy;
    }

    @Override
    List<BatchedRedisFn.@Nullable Routed<?>> decide(ClaimStore store, List<Outcome> batch) {
      List<Settlement> settlements = store.settle(batch, policy);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        routes.add(route(batch.get(i), settlements.get(i)));
      }
      return routes;
    }

    /** Where one settled outcome goes, with its repair or cleanup on the side. */
    private BatchedRedisFn.@Nullable Routed<?> route(Outcome outcome, Settlement settlement) {
      String key = outcome.notification().generationKey();
      if (settlement.failed()) {
        return Routed.to(
            DeadLetter.TAG,
            new DeadLetter(
                outcome.notification().original(),
                STEP,
                ClaimInRedis.CLAIM_RECORD_UNUSABLE,
                "Redis could not settle " + key + ": " + settlement.error(),
                Instant.now()));
      }
      Routed<?> announce;
      if (settlement.settledNow()) {
        PipelineMetrics.CLAIMS_SETTLED.inc();
        LOG.info("Settled {} as {} ({})", key, settlement.state(), settlement.detail());
        announce =
            Routed.main(settlement.completed() ? outcome : outcome.skippedFor(settlement.detail()));
      } else {
        LOG.info("{} was settled already, as {}", key, settlement.state());
        // Announce what Redis records (again: events are at least once), never the opposite.
        boolean complete = outcome.kind() == Outcome.Kind.COMPLETE;
        if (settlement.completed() && !complete) {
          return null;
        }
        announce =
            Routed.main(settlement.completed() ? outcome : outcome.skippedFor(settlement.detail()));
      }
      if (settlement.repair() != null) {
        LOG.warn(
            "{} may have been written over generation {}: that output is written again",
            key,
            settlement.repair());
        announce = announce.and(Routed.to(REPAIR, outcome.notification()));
      }
      if (settlement.cleanup()) {
        announce = announce.and(Routed.to(CLEANUP, outcome.claim()));
      }
      return announce;
    }

    @Override
    BatchedRedisFn.Routed<?> failed(Outcome outcome, RuntimeException failure) {
      return Routed.to(
          DeadLetter.TAG, Failures.unexpected(outcome.notification().original(), STEP, failure));
    }
  }

  /** Releases a bundle of failed claims in one round trip and passes them on as dead letters. */
  static final class ReleaseFn extends BatchedRedisFn<FailedObject, DeadLetter> {
    ReleaseFn(RedisSettings redis) {
      super(redis);
    }

    @Override
    List<BatchedRedisFn.@Nullable Routed<?>> decide(ClaimStore store, List<FailedObject> batch) {
      List<Claim> claims = new ArrayList<>();
      for (FailedObject failed : batch) {
        claims.add(failed.claim());
      }
      List<StoreWrite> released = store.release(claims);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        StoreWrite write = released.get(i);
        if (write.changed()) {
          PipelineMetrics.CLAIMS_RELEASED.inc();
          LOG.info("Released the claim on {}", claims.get(i).generationKey());
        } else if (write.failed()) {
          LOG.warn(
              "Could not release the claim on {} (it ends with its lease): {}",
              claims.get(i).generationKey(),
              write.error());
        }
        routes.add(Routed.main(batch.get(i).deadLetter()));
      }
      return routes;
    }

    @Override
    BatchedRedisFn.Routed<?> failed(FailedObject failed, RuntimeException failure) {
      // The work had failed already: its own dead letter says why; the claim ends with its lease.
      LOG.warn("Could not release the claim on {}", failed.claim().generationKey(), failure);
      return Routed.main(failed.deadLetter());
    }
  }
}
