package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.OriginalMessage;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One Cloud Storage change notification, typed and validated: the reference that travels through
 * the pipeline in place of the object's content.
 *
 * <p>Attributes are authoritative (payload format {@code NONE} carries nothing else); the optional
 * fields come from a {@code JSON_API_V1} payload when there is one. The original message rides
 * along so that any later stage can dead-letter it untouched.
 *
 * @param bucket the bucket name ({@code bucketId})
 * @param objectId the object name, checked safe to use as a path below a bucket root
 * @param generation the object generation (64-bit)
 * @param eventType e.g. {@code OBJECT_FINALIZE}
 * @param payloadFormat {@code JSON_API_V1} or {@code NONE}
 * @param eventTime when the change happened, RFC 3339 as Cloud Storage sent it
 * @param overwroteGeneration the generation this one replaced, if any
 * @param metageneration from the payload, if known
 * @param size the object size in bytes from the payload, if known
 * @param contentType from the payload, if known
 * @param md5Hash base64 MD5 from the payload, if known
 * @param crc32c base64 CRC32C from the payload, if known
 * @param messageId the Pub/Sub message ID (differs between duplicate notifications)
 * @param publishTime when Pub/Sub accepted the message (the element timestamp)
 * @param original the message as it arrived
 */
@DefaultCoder(GcsNotificationCoder.class)
public record GcsNotification(
    String bucket,
    String objectId,
    long generation,
    String eventType,
    String payloadFormat,
    String eventTime,
    @Nullable Long overwroteGeneration,
    @Nullable Long metageneration,
    @Nullable Long size,
    @Nullable String contentType,
    @Nullable String md5Hash,
    @Nullable String crc32c,
    String messageId,
    Instant publishTime,
    OriginalMessage original) {

  public static final String OBJECT_FINALIZE = "OBJECT_FINALIZE";
  public static final String JSON_API_V1 = "JSON_API_V1";
  public static final String PAYLOAD_NONE = "NONE";

  /**
   * Identity of one unit of work, {@code <bucket>/<objectId>#<generation>}: equal for every
   * duplicate notification of a generation whatever its message ID.
   */
  public String generationKey() {
    return bucket + "/" + objectId + "#" + generation;
  }

  /** {@code <bucket>/<objectId>}: the object across all its generations. */
  public String objectKey() {
    return bucket + "/" + objectId;
  }

  public boolean isFinalize() {
    return OBJECT_FINALIZE.equals(eventType);
  }

  /**
   * Whether the message was republished on purpose (attribute {@value NotificationParser#REPLAY}):
   * such a notification must reach the Redis claim even though the pipeline saw its generation.
   */
  public boolean isReplay() {
    String marker = original.attribute(NotificationParser.REPLAY);
    return marker != null && !marker.isEmpty();
  }

  /**
   * A notification of another generation of the same object, knowing nothing of it but its name:
   * for writing that generation again (a repair), where its own notification is not at hand.
   */
  public GcsNotification withGeneration(long otherGeneration) {
    return new GcsNotification(
        bucket,
        objectId,
        otherGeneration,
        OBJECT_FINALIZE,
        PAYLOAD_NONE,
        eventTime,
        null,
        null,
        null,
        null,
        null,
        null,
        messageId,
        publishTime,
        original);
  }

  /** Short on purpose: Beam logs destinations and keys with it. */
  @Override
  public String toString() {
    return "GcsNotification{" + generationKey() + " " + eventType + " message " + messageId + "}";
  }
}
