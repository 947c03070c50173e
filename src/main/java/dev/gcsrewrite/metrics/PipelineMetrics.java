package dev.gcsrewrite.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Every count an operator asks about, in one namespace, so that the Dataflow console, the local
 * runner's summary and docs/events-and-metrics.md all speak of the same names.
 */
public final class PipelineMetrics {
  /** Namespace of all counters below. */
  public static final String NAMESPACE = "gcs-rewrite";

  /** Notifications read from the input subscription (before any parsing). */
  public static final Counter RECEIVED = counter("notificationsReceived");

  /** Notifications parsed into a typed notification. */
  public static final Counter PARSED = counter("notificationsParsed");

  /** Notifications skipped because they are not OBJECT_FINALIZE. */
  public static final Counter SKIPPED_NOT_FINALIZE = counter("skippedNotFinalize");

  /** Notifications skipped because the object is a folder placeholder (name ends in "/"). */
  public static final Counter SKIPPED_FOLDER_PLACEHOLDER = counter("skippedFolderPlaceholder");

  /** Notifications skipped because the object is one this pipeline wrote (output or temp file). */
  public static final Counter SKIPPED_OWN_OUTPUT = counter("skippedOwnOutput");

  /** Generations skipped because the source object no longer exists. */
  public static final Counter SKIPPED_SOURCE_MISSING = counter("skippedSourceMissing");

  /** Notifications for a generation this pipeline has already seen (any message ID). */
  public static final Counter DUPLICATES = counter("duplicates");

  /** Replayed notifications (gcsRewriteReplay), passed on to the claim whatever was seen. */
  public static final Counter REPLAYS = counter("replays");

  /** Generations the dedupe state forgot once their --dedupeTtl had passed (its size kept down). */
  public static final Counter DEDUPE_EXPIRED = counter("dedupeExpired");

  /** Notifications a bounded run (the reconcile command) passed on to the claim. */
  public static final Counter RECONCILED = counter("reconcileNotifications");

  /** Current object generations the reconcile command listed (in its scope). */
  public static final Counter RECONCILE_LISTED = counter("reconcileListed");

  /** Notifications of a generation Redis already records as settled (also in DUPLICATES). */
  public static final Counter DUPLICATES_IN_REDIS = counter("duplicatesSeenByRedis");

  /** Generations dropped because a newer generation of the object was already completed. */
  public static final Counter SUPERSEDED = counter("superseded");

  /** Generations this job claimed in Redis (including takeovers of ended leases). */
  public static final Counter CLAIMED = counter("claimed");

  /** Claims this job found it held already: retried bundles. */
  public static final Counter CLAIMS_REENTRANT = counter("claimsReentrant");

  /** Times a generation was set to wait: held by another job, or an older one in flight. */
  public static final Counter CLAIMS_WAITING = counter("claimsWaiting");

  /** Claims settled as COMPLETED or SKIPPED. */
  public static final Counter CLAIMS_SETTLED = counter("claimsSettled");

  /** Claims released after a permanent failure. */
  public static final Counter CLAIMS_RELEASED = counter("claimsReleased");

  /** Batches of claims, settlements or releases sent to Redis: one per bundle per stage. */
  public static final Counter REDIS_BATCHES = counter("redisBatches");

  /** Network round trips to Redis (one per batch, unless a batch exceeds 1000 elements). */
  public static final Counter REDIS_ROUND_TRIPS = counter("redisRoundTrips");

  /** Redis calls retried after a failure (Redis down, failing over, timing out). */
  public static final Counter REDIS_RETRIES = counter("redisRetries");

  /** Times the Redis client was rebuilt with the AUTH string read anew (after a rotation). */
  public static final Counter REDIS_AUTH_REFRESHES = counter("redisAuthRefreshes");

  /**
   * Generations Redis could not decide because of their own records (e.g. a key of the wrong type,
   * or a script error on their values): dead-lettered rather than retried forever.
   */
  public static final Counter REDIS_ELEMENT_ERRORS = counter("redisElementErrors");

  /** Output objects written (counted when the sink has streamed them). */
  public static final Counter WRITTEN = counter("objectsWritten");

  /** Output objects whose final file is in place (counted from FileIO's final filenames). */
  public static final Counter COMPLETED = counter("objectsCompleted");

  /** Token replacements made, over all rules. */
  public static final Counter REPLACEMENTS = counter("replacements");

  /** Source bytes read by the sink. */
  public static final Counter BYTES_IN = counter("bytesIn");

  /** Output bytes written by the sink. */
  public static final Counter BYTES_OUT = counter("bytesOut");

  /**
   * Generations that disappeared between the lookup and the read: the output was kept as it was,
   * and the generation skipped.
   */
  public static final Counter SOURCE_VANISHED = counter("sourceVanishedDuringWrite");

  /** Reads whose content was not the notified generation's (size or checksum): skipped. */
  public static final Counter SOURCE_CHANGED = counter("sourceChanged");

  /** Leases renewed by writers while long writes went on. */
  public static final Counter LEASES_RENEWED = counter("leasesRenewed");

  /** Claims found lost while their object was written (a lease that ran out). */
  public static final Counter CLAIMS_LOST = counter("claimsLost");

  /** Outputs written again to put the newest completed generation back (after a stale write). */
  public static final Counter REPAIRS = counter("outputsRepaired");

  /** Settled generations whose complete or skipped event was never published, announced now. */
  public static final Counter ANNOUNCED_LATE = counter("eventsAnnouncedLate");

  /** Complete and skipped events published and recorded in Redis as published. */
  public static final Counter ANNOUNCEMENTS_RECORDED = counter("announcementsRecorded");

  /** Empty outputs removed that a vanished source left where there was none. */
  public static final Counter CLEANUPS = counter("emptyOutputsRemoved");

  /** Messages sent to the dead-letter topic, over all stages. */
  public static final Counter DEAD_LETTERED = counter("deadLettered");

  /**
   * Messages Beam's Pub/Sub writer refused although they passed the pipeline's own checks; logged
   * at ERROR. Should stay zero.
   */
  public static final Counter UNPUBLISHABLE = counter("unpublishableMessages");

  /** Publish requests retried after Pub/Sub refused or could not be reached. */
  public static final Counter PUBLISH_RETRIES = counter("publishRetries");

  /** Audit events published, by type. */
  public static Counter auditEvents(String eventType) {
    return counter("auditEvents." + eventType);
  }

  /** Messages sent to the dead-letter topic by one stage. */
  public static Counter deadLetteredAt(String stage) {
    return counter("deadLettered." + stage);
  }

  private static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }

  private PipelineMetrics() {}
}
