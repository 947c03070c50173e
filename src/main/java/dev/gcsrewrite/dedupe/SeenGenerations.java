package dev.gcsrewrite.dedupe;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.transforms.DoFn.OutputReceiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both layouts of the dedupe state do alike with a replay and with a duplicate. */
final class SeenGenerations {
  private static final Logger LOG = LoggerFactory.getLogger(DropSeenGenerations.class);

  private SeenGenerations() {}

  /** Passes {@code notification} on, counted, if it is a replay; says whether it was. */
  static boolean passedAsReplay(GcsNotification notification, OutputReceiver<GcsNotification> out) {
    if (!notification.isReplay()) {
      return false;
    }
    PipelineMetrics.REPLAYS.inc();
    LOG.info(
        "Passed replayed notification of {} (message {}) on to the claim",
        notification.generationKey(),
        notification.messageId());
    out.output(notification);
    return true;
  }

  /**
   * Counts and logs {@code notification} as dropped: its generation came first in {@code first}.
   */
  static void dropped(GcsNotification notification, String first) {
    PipelineMetrics.DUPLICATES.inc();
    LOG.info(
        "Dropped duplicate notification of {} (message {}, first seen in message {})",
        notification.generationKey(),
        notification.messageId(),
        first);
  }
}
