package dev.gcsrewrite.dedupe;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the first notification of each object generation and drops the rest, whatever their
 * message IDs.
 *
 * <p>Cloud Storage and Pub/Sub both deliver at least once, and a duplicate notification carries a
 * new message ID, so this keys on {@code <bucket>/<objectId>#<generation>}, modelled on Beam's
 * {@code Deduplicate}:
 *
 * <ul>
 *   <li>{@code KeyByGeneration}, then {@code DropSeen}: per-key state holding the first message ID,
 *       cleared by a processing-time timer {@code ttl} later, so the state stays bounded; the timer
 *       sets no output timestamp, so it never holds the watermark back.
 *   <li>A replayed notification (marked {@code gcsRewriteReplay}) passes without touching the
 *       state: the pipeline remembers the generation from its first, failed, attempt, and only
 *       Redis knows whether it was ever settled.
 *   <li>A bounded input (the reconcile command's listing, one notification per live generation)
 *       passes through {@code PassListed} without state: there are no repeats to drop, and expiry
 *       timers would outlive the run.
 * </ul>
 *
 * <p>Output: the notifications passed on. Duplicates older than the TTL, or seen by another
 * pipeline, are the Redis claim's business.
 *
 * <pre>{@code
 * PCollection<GcsNotification> unseen =
 *     selected.apply("DropSeenGenerations", new DropSeenGenerations(Duration.standardHours(1)));
 * }</pre>
 */
public final class DropSeenGenerations
    extends PTransform<PCollection<GcsNotification>, PCollection<GcsNotification>> {
  private final Duration ttl;

  /** Remembers each generation for {@code ttl}. */
  public DropSeenGenerations(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public PCollection<GcsNotification> expand(PCollection<GcsNotification> notifications) {
    if (notifications.isBounded() == PCollection.IsBounded.BOUNDED) {
      return notifications.apply("PassListed", ParDo.of(new PassListedFn()));
    }
    return notifications
        .apply(
            "KeyByGeneration",
            WithKeys.of(GcsNotification::generationKey).withKeyType(TypeDescriptors.strings()))
        .apply("DropSeen", ParDo.of(new DropSeenFn(ttl)));
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

  /** Remembers, per generation key, the message that first announced it, until the TTL ends. */
  static final class DropSeenFn extends DoFn<KV<String, GcsNotification>, GcsNotification> {
    private static final Logger LOG = LoggerFactory.getLogger(DropSeenGenerations.class);
    private static final String FIRST_MESSAGE = "firstMessageId";
    private static final String EXPIRY = "expiry";

    @StateId(FIRST_MESSAGE)
    private final StateSpec<ValueState<String>> firstMessageSpec =
        StateSpecs.value(StringUtf8Coder.of());

    @TimerId(EXPIRY)
    private final TimerSpec expirySpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

    private final Duration ttl;

    DropSeenFn(Duration ttl) {
      this.ttl = ttl;
    }

    @ProcessElement
    public void process(
        @Element KV<String, GcsNotification> element,
        @StateId(FIRST_MESSAGE) ValueState<String> firstMessage,
        @TimerId(EXPIRY) Timer expiry,
        OutputReceiver<GcsNotification> out) {
      GcsNotification notification = element.getValue();
      if (notification.isReplay()) {
        PipelineMetrics.REPLAYS.inc();
        LOG.info("Passed replayed {} on to the claim", notification);
        out.output(notification);
        return;
      }
      String first = firstMessage.read();
      if (first != null) {
        PipelineMetrics.DUPLICATES.inc();
        LOG.info("Dropped duplicate {} (first seen in message {})", notification, first);
        return;
      }
      firstMessage.write(notification.messageId());
      expiry.offset(ttl).withNoOutputTimestamp().setRelative();
      out.output(notification);
    }

    @OnTimer(EXPIRY)
    public void onExpiry(@StateId(FIRST_MESSAGE) ValueState<String> firstMessage) {
      firstMessage.clear();
      PipelineMetrics.DEDUPE_EXPIRED.inc();
    }
  }
}
