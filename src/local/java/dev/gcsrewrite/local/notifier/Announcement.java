package dev.gcsrewrite.local.notifier;

import java.time.Instant;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One notification decided on but perhaps not yet published, with what its log line says.
 *
 * @param eventType {@link StorageNotifications#OBJECT_FINALIZE} or {@link
 *     StorageNotifications#OBJECT_DELETE}
 * @param object the generation it is about
 * @param message the message to publish
 * @param detail appended to the log line, e.g. " (overwrote 1763630102412883)", or empty
 */
record Announcement(String eventType, StoredObject object, PubsubMessage message, String detail) {
  static Announcement finalized(StoredObject object, @Nullable Long overwroteGeneration) {
    return new Announcement(
        StorageNotifications.OBJECT_FINALIZE,
        object,
        StorageNotifications.finalized(object, overwroteGeneration),
        overwroteGeneration == null ? "" : " (overwrote " + overwroteGeneration + ")");
  }

  static Announcement deleted(
      StoredObject object, Instant deletedAt, @Nullable Long overwrittenByGeneration) {
    return new Announcement(
        StorageNotifications.OBJECT_DELETE,
        object,
        StorageNotifications.deleted(object, deletedAt, overwrittenByGeneration),
        overwrittenByGeneration == null ? "" : " (overwritten by " + overwrittenByGeneration + ")");
  }

  boolean isFinalize() {
    return StorageNotifications.OBJECT_FINALIZE.equals(eventType);
  }
}
