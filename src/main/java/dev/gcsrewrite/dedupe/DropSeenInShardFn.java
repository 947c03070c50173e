package dev.gcsrewrite.dedupe;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
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
import org.joda.time.Instant;

/**
 * The dedupe state keyed by shard ({@code --keyShards=N}): per shard of the object names, a map of
 * the generations it has passed, each with its expiry time and first message.
 *
 * <p>A generation is remembered for {@code ttl} exactly (its expiry is checked on each lookup).
 * Expired entries are removed by one cleanup timer per shard, at most {@code ttl / 8} late, so a
 * shard's timer fires at most once in that time however many generations expire, and the state
 * stays bounded by the TTL.
 */
final class DropSeenInShardFn extends DoFn<KV<Integer, GcsNotification>, GcsNotification> {
  private static final String SEEN = "seen";
  private static final String CLEANUP_AT = "cleanupAt";
  private static final String CLEANUP = "cleanup";

  /** Generation key -> {@code <expiry millis> <first message ID>}. */
  @StateId(SEEN)
  private final StateSpec<MapState<String, String>> seenSpec =
      StateSpecs.map(StringUtf8Coder.of(), StringUtf8Coder.of());

  /** When the shard's cleanup timer is set to fire; empty when none is set. */
  @StateId(CLEANUP_AT)
  private final StateSpec<ValueState<Long>> cleanupAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId(CLEANUP)
  private final TimerSpec cleanupSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  private final Duration ttl;

  DropSeenInShardFn(Duration ttl) {
    this.ttl = ttl;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, GcsNotification> element,
      @StateId(SEEN) MapState<String, String> seen,
      @StateId(CLEANUP_AT) ValueState<Long> cleanupAt,
      @TimerId(CLEANUP) Timer cleanup,
      OutputReceiver<GcsNotification> out) {
    GcsNotification notification = element.getValue();
    if (SeenGenerations.passedAsReplay(notification, out)) {
      return;
    }
    String key = notification.generationKey();
    long now = cleanup.getCurrentRelativeTime().getMillis();
    String first = seen.get(key).read();
    if (first != null && expiry(first) > now) {
      SeenGenerations.dropped(notification, first.substring(first.indexOf(' ') + 1));
      return;
    }
    long expires = now + ttl.getMillis();
    seen.put(key, expires + " " + notification.messageId());
    if (cleanupAt.read() == null) {
      schedule(cleanup, cleanupAt, expires);
    }
    out.output(notification);
  }

  /** Forgets the expired generations, and sets the timer again for the next to expire. */
  @OnTimer(CLEANUP)
  public void onCleanup(
      @StateId(SEEN) MapState<String, String> seen,
      @StateId(CLEANUP_AT) ValueState<Long> cleanupAt,
      @TimerId(CLEANUP) Timer cleanup) {
    long now = cleanup.getCurrentRelativeTime().getMillis();
    long next = Long.MAX_VALUE;
    for (Map.Entry<String, String> entry : seen.entries().read()) {
      long expires = expiry(entry.getValue());
      if (expires <= now) {
        seen.remove(entry.getKey());
        PipelineMetrics.DEDUPE_EXPIRED.inc();
      } else {
        next = Math.min(next, expires);
      }
    }
    cleanupAt.clear();
    if (next != Long.MAX_VALUE) {
      schedule(cleanup, cleanupAt, next);
    }
  }

  /** Sets the cleanup timer {@code ttl / 8} after {@code expires}. */
  private void schedule(Timer cleanup, ValueState<Long> cleanupAt, long expires) {
    long at = expires + ttl.getMillis() / 8;
    cleanup.withNoOutputTimestamp().set(new Instant(at));
    cleanupAt.write(at);
  }

  private static long expiry(String value) {
    return Long.parseLong(value.substring(0, value.indexOf(' ')));
  }
}
