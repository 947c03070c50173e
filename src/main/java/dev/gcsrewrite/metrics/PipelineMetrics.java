package dev.gcsrewrite.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Every count an operator asks about, in one namespace, so that the Dataflow console, the local
 * runner's summary and the docs speak of the same names.
 *
 * <p>The names are public: dashboards and alerts use them. Each is described in
 * docs/events-and-metrics.md; the groups below follow the graph.
 */
public final class PipelineMetrics {
  /** Namespace of all counters below. */
  public static final String NAMESPACE = "gcs-rewrite";

  // ParseNotifications, SelectNewObjects: messages read, parsed, and skipped by reason.
  public static final Counter RECEIVED = counter("notificationsReceived");
  public static final Counter PARSED = counter("notificationsParsed");
  public static final Counter SKIPPED_NOT_FINALIZE = counter("skippedNotFinalize");
  public static final Counter SKIPPED_FOLDER_PLACEHOLDER = counter("skippedFolderPlaceholder");
  public static final Counter SKIPPED_OWN_OUTPUT = counter("skippedOwnOutput");
  public static final Counter SKIPPED_SOURCE_MISSING = counter("skippedSourceMissing");

  // DropSeenGenerations: repeats dropped (any message ID), replays passed, state entries expired.
  public static final Counter DUPLICATES = counter("duplicates");
  public static final Counter REPLAYS = counter("replays");
  public static final Counter DEDUPE_EXPIRED = counter("dedupeExpired");

  // The reconcile command: notifications made from a listing, and generations listed.
  public static final Counter RECONCILED = counter("reconcileNotifications");
  public static final Counter RECONCILE_LISTED = counter("reconcileListed");

  // Claims: their outcomes, and the repeats only Redis recognised (also in DUPLICATES).
  public static final Counter DUPLICATES_IN_REDIS = counter("duplicatesSeenByRedis");
  public static final Counter SUPERSEDED = counter("superseded");
  public static final Counter CLAIMED = counter("claimed");
  public static final Counter CLAIMS_REENTRANT = counter("claimsReentrant");
  public static final Counter CLAIMS_WAITING = counter("claimsWaiting");
  public static final Counter CLAIMS_SETTLED = counter("claimsSettled");
  public static final Counter CLAIMS_RELEASED = counter("claimsReleased");

  // Redis: batches (one per bundle per stage), round trips, retries (those of them while Redis
  // could serve no one: full, read-only, down), AUTH refreshes, and generations whose own records
  // could not be used (dead-lettered rather than retried).
  public static final Counter REDIS_BATCHES = counter("redisBatches");
  public static final Counter REDIS_ROUND_TRIPS = counter("redisRoundTrips");
  public static final Counter REDIS_RETRIES = counter("redisRetries");
  public static final Counter REDIS_OUTAGE_RETRIES = counter("redisOutageRetries");
  public static final Counter REDIS_AUTH_REFRESHES = counter("redisAuthRefreshes");
  public static final Counter REDIS_ELEMENT_ERRORS = counter("redisElementErrors");

  // WriteProcessedObjects, CompleteClaims, RepairOutputs: outputs and what reading sources found.
  public static final Counter WRITTEN = counter("objectsWritten");
  public static final Counter COMPLETED = counter("objectsCompleted");
  public static final Counter REPLACEMENTS = counter("replacements");
  public static final Counter BYTES_IN = counter("bytesIn");
  public static final Counter BYTES_OUT = counter("bytesOut");
  public static final Counter SOURCE_VANISHED = counter("sourceVanishedDuringWrite");
  public static final Counter SOURCE_CHANGED = counter("sourceChanged");
  public static final Counter LEASES_RENEWED = counter("leasesRenewed");
  public static final Counter CLAIMS_LOST = counter("claimsLost");
  public static final Counter REPAIRS = counter("outputsRepaired");
  public static final Counter CLEANUPS = counter("emptyOutputsRemoved");
  public static final Counter SOURCES_UNREADABLE = counter("sourcesUnreadable");
  public static final Counter OUTPUT_REFUSED = counter("outputRefused");

  // PublishComplete: events announced late, recorded as published, and publish retries.
  public static final Counter ANNOUNCED_LATE = counter("eventsAnnouncedLate");
  public static final Counter ANNOUNCEMENTS_RECORDED = counter("announcementsRecorded");
  public static final Counter PUBLISH_RETRIES = counter("publishRetries");
  public static final Counter PUBLISH_REFUSED = counter("publishRefused");

  // PublishComplete: how long a generation took, from its notification's publish time (Pub/Sub's)
  // to its complete event, made once its claim is settled. The same figure is in the event.
  public static final Distribution NOTIFICATION_TO_COMPLETE =
      Metrics.distribution(NAMESPACE, "notificationToCompleteMillis");

  // PublishDeadLetters, and messages Beam's Pub/Sub writer refused (logged; should stay zero).
  public static final Counter DEAD_LETTERED = counter("deadLettered");
  public static final Counter UNPUBLISHABLE = counter("unpublishableMessages");

  /** Audit events published, by type: {@code auditEvents.<eventType>}. */
  public static Counter auditEvents(String eventType) {
    return counter("auditEvents." + eventType);
  }

  /** Messages sent to the dead-letter topic by one stage: {@code deadLettered.<step>}. */
  public static Counter deadLetteredAt(String stage) {
    return counter("deadLettered." + stage);
  }

  private static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }

  private PipelineMetrics() {}
}
