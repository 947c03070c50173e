package dev.gcsrewrite.dedupe;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Step {@code DropSeenGenerations}: passes the first notification of each object generation and
 * drops the rest, whatever their message IDs.
 *
 * <p>Cloud Storage and Pub/Sub both deliver at least once, and a duplicate notification carries a
 * new message ID, so deduplicating on the message ID (as Pub/Sub's own tooling would) lets
 * duplicates through. This keys on {@code <bucket>/<objectId>#<generation>} instead. Modelled on
 * Beam's {@code Deduplicate}: keyed state plus a processing-time expiry, so state stays bounded by
 * the TTL; no timer sets an output timestamp, so none holds the watermark back. Duplicates older
 * than the TTL, or seen by another pipeline, are the Redis claim's business.
 *
 * <p>The state has one of two layouts, chosen by {@code --keyShards}. With 0 (the default, for
 * Dataflow) each generation is its own key, with its own value and expiry timer ({@link
 * DropSeenFn}): the most parallel. With N, the key is one of N shards of the object names, and each
 * shard keeps a map of the generations it has passed ({@link DropSeenInShardFn}): a runner that
 * works a key at a time then handles a shard's notifications together, and the steps after it get
 * them in one bundle (on the DirectRunner, a key per generation costs a bundle per generation in
 * every later step, and a Redis round trip per claim).
 *
 * <p>A replayed notification (marked {@code gcsRewriteReplay}, republished after its dead letter
 * was dealt with) passes without touching the state: the pipeline remembers the generation from its
 * first, failed, attempt, and only Redis knows whether it was ever settled.
 *
 * <p>In a bounded run (the reconcile command, whose listing names each live generation once) the
 * step passes everything on without state: per-key state would cost a bundle per generation, and
 * its expiry timers would outlive the run.
 */
public final class DropSeenGenerations
    extends PTransform<PCollection<GcsNotification>, PCollection<GcsNotification>> {
  private final Duration ttl;
  private final int keyShards;

  /** Remembers each generation for {@code ttl}, a key per generation. */
  public DropSeenGenerations(Duration ttl) {
    this(ttl, 0);
  }

  /**
   * Remembers each generation for {@code ttl}, under {@code keyShards} keys (0: a key per
   * generation).
   */
  public DropSeenGenerations(Duration ttl, int keyShards) {
    if (keyShards < 0) {
      throw new IllegalArgumentException("keyShards must be 0 or more: " + keyShards);
    }
    this.ttl = ttl;
    this.keyShards = keyShards;
  }

  @Override
  public PCollection<GcsNotification> expand(PCollection<GcsNotification> notifications) {
    if (notifications.isBounded() == PCollection.IsBounded.BOUNDED) {
      // A bounded run (reconcile) lists each live generation once: there are no repeats to
      // remember, and per-key state would cost a bundle per generation and set expiry timers
      // that outlive the run. The Redis claim still decides every generation.
      return notifications
          .apply("PassListed", ParDo.of(new PassListedFn()))
          .setCoder(GcsNotificationCoder.of());
    }
    if (keyShards == 0) {
      // The names and coders of this layout are those of every release before --keyShards, so
      // that a job running it can still be updated in place.
      return notifications
          .apply(
              "KeyByGeneration",
              WithKeys.of(GcsNotification::generationKey).withKeyType(TypeDescriptors.strings()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), GcsNotificationCoder.of()))
          .apply("DropSeen", ParDo.of(new DropSeenFn(ttl)))
          .setCoder(GcsNotificationCoder.of());
    }
    int shards = keyShards;
    return notifications
        .apply(
            "KeyByShard",
            WithKeys.of((GcsNotification n) -> n.objectShard(shards))
                .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), GcsNotificationCoder.of()))
        .apply("DropSeenInShard", ParDo.of(new DropSeenInShardFn(ttl)))
        .setCoder(GcsNotificationCoder.of());
  }

  /** Passes a bounded run's notifications on, counted. */
  static final class PassListedFn extends DoFn<GcsNotification, GcsNotification> {
    @ProcessElement
    public void process(
        @Element GcsNotification notification, OutputReceiver<GcsNotification> out) {
      PipelineMetrics.RECONCILED.inc();
      out.output(notification);
    }
  }
}
