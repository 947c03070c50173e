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
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;

/**
 * The dedupe state keyed by generation ({@code --keyShards=0}): per generation key, the message
 * that first announced it, until its expiry timer clears it {@code ttl} later.
 */
final class DropSeenFn extends DoFn<KV<String, GcsNotification>, GcsNotification> {
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
    if (SeenGenerations.passedAsReplay(notification, out)) {
      return;
    }
    String first = firstMessage.read();
    if (first != null) {
      SeenGenerations.dropped(notification, first);
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
