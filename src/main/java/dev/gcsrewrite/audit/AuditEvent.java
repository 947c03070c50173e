package dev.gcsrewrite.audit;

import static dev.gcsrewrite.notification.NotificationParser.BUCKET_ID;
import static dev.gcsrewrite.notification.NotificationParser.OBJECT_GENERATION;
import static dev.gcsrewrite.notification.NotificationParser.OBJECT_ID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One audit event: what happened to one object generation, for whoever watches the {@code
 * processing} and {@code complete} topics.
 *
 * <p>Events are published at least once; the {@code eventId}, {@code
 * <bucket>/<objectId>#<generation>:<eventType>}, is deterministic so that consumers can drop
 * repeats. It is also an attribute, so a subscription filter or a consumer can deduplicate without
 * reading the body; when the full ID would exceed Pub/Sub's 1024-byte attribute limit (very long
 * object names) the attribute carries {@code sha256:<hex of the full ID>} instead, and the body
 * always carries the full ID.
 *
 * @param eventType {@link #PROCESSING}, {@link #COMPLETE}, {@link #SKIPPED} or {@link #REPAIRED}
 * @param notification the notification the event is about
 * @param jobName the Beam job that did the work
 * @param sourceUri where the content is read from
 * @param outputUri the final output (complete and repaired events only)
 * @param outputBytes the output size, when known cheaply (complete events only)
 * @param reason why nothing was written (skipped events only)
 * @param eventTime when the event was made
 */
public record AuditEvent(
    String eventType,
    GcsNotification notification,
    String jobName,
    String sourceUri,
    @Nullable String outputUri,
    @Nullable Long outputBytes,
    @Nullable String reason,
    Instant eventTime) {

  /** Work on the generation has started. */
  public static final String PROCESSING = "processing";

  /** The output is in its final place. */
  public static final String COMPLETE = "complete";

  /** The generation was settled without an output (e.g. its source no longer exists). */
  public static final String SKIPPED = "skipped";

  /**
   * The object's output was written again as the rewrite of this generation, its latest completed
   * one, after a writer that had lost its lease may have renamed another generation's over it.
   */
  public static final String REPAIRED = "repaired";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code <bucket>/<objectId>#<generation>:<eventType>}. */
  public String eventId() {
    return notification.generationKey() + ":" + eventType;
  }

  /**
   * Milliseconds from the notification's publish time (Pub/Sub's clock) to this event (the
   * worker's): how long the generation took, as its producer sees it. Never negative, should the
   * clocks disagree.
   */
  public long latencyMillis() {
    return Math.max(0, eventTime.getMillis() - notification.publishTime().getMillis());
  }

  /** The message published for this event. */
  public PubsubMessage toPubsubMessage() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("eventType", eventType);
    attributes.put("eventId", eventIdAttribute());
    attributes.put(BUCKET_ID, notification.bucket());
    attributes.put(OBJECT_ID, notification.objectId());
    attributes.put(OBJECT_GENERATION, Long.toString(notification.generation()));
    return new PubsubMessage(body(), attributes);
  }

  private byte[] body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("eventType", eventType);
    body.put("eventId", eventId());
    body.put(BUCKET_ID, notification.bucket());
    body.put(OBJECT_ID, notification.objectId());
    body.put(OBJECT_GENERATION, Long.toString(notification.generation()));
    body.put("sourceUri", sourceUri);
    body.put("outputUri", outputUri);
    body.put("messageId", notification.messageId());
    body.put("jobName", jobName);
    body.put("eventTime", eventTime.toString());
    body.put("notificationEventTime", notification.eventTime());
    body.put("sourceBytes", notification.size());
    body.put("sourceCrc32c", notification.crc32c());
    body.put("sourceMd5Hash", notification.md5Hash());
    body.put("outputBytes", outputBytes != null && outputBytes >= 0 ? outputBytes : null);
    body.put("reason", reason);
    if (COMPLETE.equals(eventType)) {
      body.put("latencyMillis", latencyMillis());
    }
    body.values().removeIf(Objects::isNull); // what is not known is left out, not written as null
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an audit event", e);
    }
  }

  private String eventIdAttribute() {
    String id = eventId();
    if (PubsubLimits.utf8Length(id) <= PubsubLimits.MAX_ATTRIBUTE_VALUE_BYTES) {
      return id;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
