package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.FailedObject;
import dev.gcsrewrite.output.Outcome;
import dev.gcsrewrite.output.OutcomeCoder;
import dev.gcsrewrite.output.ProcessedObjects;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
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
 * announced.
 *
 * <p>An output in place makes its record COMPLETED (kept for the retention, with the output URI)
 * and moves the object's latest completed generation forward, never back; a generation with nothing
 * to write becomes SKIPPED; a generation that failed for good has its claim released, so a fixed
 * notification can be claimed at once, and goes on as a dead letter. A generation whose own record
 * Redis cannot use is a dead letter too (its output, if any, is in place but not announced).
 *
 * <p>Order: the claim is settled first and the {@code complete} event published after, from this
 * step's output. Should the job fail in between, Beam retries the bundle: settling again changes
 * nothing and the event is published then. Events are therefore at least once, never lost, and
 * their deterministic {@code eventId} lets consumers drop repeats.
 */
public final class CompleteClaims
    extends PTransform<ProcessedObjects, WithFailures.Result<PCollection<Outcome>, DeadLetter>> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "CompleteClaims";

  private static final Logger LOG = LoggerFactory.getLogger(CompleteClaims.class);
  private static final TupleTag<Outcome> SETTLED = new TupleTag<>("settled") {};

  private final RedisSettings redis;
  private final ClaimSettings policy;

  public CompleteClaims(RedisSettings redis, ClaimSettings policy) {
    this.redis = redis;
    this.policy = policy;
  }

  @Override
  public WithFailures.Result<PCollection<Outcome>, DeadLetter> expand(ProcessedObjects processed) {
    PCollectionTuple settled =
        processed
            .outcomes()
            .apply(
                "Settle",
                ParDo.of(new SettleFn(redis, policy))
                    .withOutputTags(SETTLED, TupleTagList.of(DeadLetter.TAG)));
    PCollection<DeadLetter> released =
        processed
            .failures()
            .apply("Release", ParDo.of(new ReleaseFn(redis, policy.owner())))
            .setCoder(DeadLetterCoder.of());
    WithFailures.Result<PCollection<Outcome>, DeadLetter> result =
        DeadLetter.result(settled, SETTLED, OutcomeCoder.of());
    return WithFailures.Result.of(
        result.output(),
        PCollectionList.of(result.failures())
            .and(released)
            .apply("AllFailed", Flatten.pCollections())
            .setCoder(DeadLetterCoder.of()));
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
      List<StoreWrite> writes = store.settle(batch, policy);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Outcome outcome = batch.get(i);
        String key = outcome.notification().generationKey();
        StoreWrite write = writes.get(i);
        String state = outcome.kind() == Outcome.Kind.COMPLETE ? "COMPLETED" : "SKIPPED";
        if (write.failed()) {
          routes.add(
              Routed.to(
                  DeadLetter.TAG,
                  new DeadLetter(
                      outcome.notification().original(),
                      STEP,
                      ClaimInRedis.CLAIM_RECORD_UNUSABLE,
                      "Redis could not settle " + key + " as " + state + ": " + write.error(),
                      Instant.now())));
          continue;
        }
        if (write.changed()) {
          PipelineMetrics.CLAIMS_SETTLED.inc();
          LOG.info("Settled {} as {}", key, state);
        } else {
          LOG.info("{} was settled already", key);
        }
        routes.add(Routed.main(outcome));
      }
      return routes;
    }

    @Override
    BatchedRedisFn.Routed<?> failed(Outcome outcome, RuntimeException failure) {
      return Routed.to(
          DeadLetter.TAG, Failures.unexpected(outcome.notification().original(), STEP, failure));
    }
  }

  /** Releases a bundle of failed claims in one round trip and passes them on as dead letters. */
  static final class ReleaseFn extends BatchedRedisFn<FailedObject, DeadLetter> {
    private final String owner;

    ReleaseFn(RedisSettings redis, String owner) {
      super(redis);
      this.owner = owner;
    }

    @Override
    List<BatchedRedisFn.@Nullable Routed<?>> decide(ClaimStore store, List<FailedObject> batch) {
      List<GcsNotification> notifications = new ArrayList<>();
      for (FailedObject failed : batch) {
        notifications.add(failed.notification());
      }
      List<StoreWrite> released = store.release(notifications, owner);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        StoreWrite write = released.get(i);
        if (write.changed()) {
          PipelineMetrics.CLAIMS_RELEASED.inc();
          LOG.info("Released the claim on {}", notifications.get(i).generationKey());
        } else if (write.failed()) {
          LOG.warn(
              "Could not release the claim on {} (it ends with its lease): {}",
              notifications.get(i).generationKey(),
              write.error());
        }
        routes.add(Routed.main(batch.get(i).deadLetter()));
      }
      return routes;
    }

    @Override
    BatchedRedisFn.Routed<?> failed(FailedObject failed, RuntimeException failure) {
      // The work had failed already: its own dead letter says why; the claim ends with its lease.
      LOG.warn("Could not release the claim on {}", failed.notification().generationKey(), failure);
      return Routed.main(failed.deadLetter());
    }
  }
}
