package dev.gcsrewrite.audit;

import dev.gcsrewrite.claim.ClaimStoreFn;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.redis.ClaimKeys;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records in Redis, one round trip per bundle, that the complete or skipped events of a bundle were
 * published: applied to what {@code TopicWriter.publishConfirmed} returns, so a generation is
 * marked only after its event was accepted. A settled generation left unmarked (the job died or was
 * cancelled in between) is announced again by the next notification of it, or by reconcile.
 */
final class RecordAnnouncements extends ClaimStoreFn<PubsubMessage, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(RecordAnnouncements.class);

  private transient List<String> keys = new ArrayList<>();

  RecordAnnouncements(RedisSettings redis) {
    super(redis);
  }

  @StartBundle
  public void startBundle() {
    keys = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element PubsubMessage event) {
    Map<String, String> attributes = event.getAttributeMap();
    ClaimKeys claimKeys = store().keys();
    keys.add(
        claimKeys.generation(
            attributes.get(NotificationParser.BUCKET_ID),
            attributes.get(NotificationParser.OBJECT_ID),
            Long.parseLong(attributes.get(NotificationParser.OBJECT_GENERATION))));
  }

  @FinishBundle
  public void finishBundle() {
    if (keys.isEmpty()) {
      return;
    }
    PipelineMetrics.REDIS_BATCHES.inc();
    List<Boolean> marked = store().announce(keys, System.currentTimeMillis());
    long recorded = marked.stream().filter(Boolean::booleanValue).count();
    PipelineMetrics.ANNOUNCEMENTS_RECORDED.inc(recorded);
    LOG.debug("Recorded {} of {} published events as announced", recorded, keys.size());
    keys = new ArrayList<>();
  }
}
