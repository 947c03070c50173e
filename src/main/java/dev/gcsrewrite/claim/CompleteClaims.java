package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.FailedObject;
import dev.gcsrewrite.output.Outcome;
import dev.gcsrewrite.output.OutcomeCoder;
import dev.gcsrewrite.output.ProcessedObjects;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code CompleteClaims}: settles every claim the work ended with, before anything is
 * announced.
 *
 * <p>An output in place makes its record COMPLETED (kept for the retention, with the output URI)
 * and moves the object's latest completed generation forward, never back; a generation with nothing
 * to write becomes SKIPPED; a generation that failed for good has its claim released, so a fixed
 * notification can be claimed at once, and goes on as a dead letter.
 *
 * <p>Order: the claim is settled first and the {@code complete} event published after, from this
 * step's output. Should the job fail in between, Beam retries the bundle: settling again changes
 * nothing and the event is published then. Events are therefore at least once, never lost, and
 * their deterministic {@code eventId} lets consumers drop repeats.
 */
public final class CompleteClaims
    extends PTransform<ProcessedObjects, WithFailures.Result<PCollection<Outcome>, DeadLetter>> {
  private static final Logger LOG = LoggerFactory.getLogger(CompleteClaims.class);

  private final RedisSettings redis;
  private final ClaimSettings policy;

  public CompleteClaims(RedisSettings redis, ClaimSettings policy) {
    this.redis = redis;
    this.policy = policy;
  }

  @Override
  public WithFailures.Result<PCollection<Outcome>, DeadLetter> expand(ProcessedObjects processed) {
    PCollection<Outcome> settled =
        processed
            .outcomes()
            .apply("Settle", ParDo.of(new SettleFn(redis, policy)))
            .setCoder(OutcomeCoder.of());
    PCollection<DeadLetter> released =
        processed
            .failures()
            .apply("Release", ParDo.of(new ReleaseFn(redis, policy.owner())))
            .setCoder(DeadLetterCoder.of());
    return WithFailures.Result.of(settled, released);
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
      List<Boolean> settled = store.settle(batch, policy);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Outcome outcome = batch.get(i);
        String state = outcome.kind() == Outcome.Kind.COMPLETE ? "COMPLETED" : "SKIPPED";
        if (settled.get(i)) {
          PipelineMetrics.CLAIMS_SETTLED.inc();
          LOG.info("Settled {} as {}", outcome.notification().generationKey(), state);
        } else {
          LOG.info("{} was settled already", outcome.notification().generationKey());
        }
        routes.add(Routed.main(outcome));
      }
      return routes;
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
      List<Boolean> released = store.release(notifications, owner);
      List<BatchedRedisFn.@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        if (released.get(i)) {
          PipelineMetrics.CLAIMS_RELEASED.inc();
          LOG.info("Released the claim on {}", notifications.get(i).generationKey());
        }
        routes.add(Routed.main(batch.get(i).deadLetter()));
      }
      return routes;
    }
  }
}
