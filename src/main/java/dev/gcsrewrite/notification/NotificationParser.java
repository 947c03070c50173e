package dev.gcsrewrite.notification;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.gcsrewrite.deadletter.OriginalMessage;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Reads a Pub/Sub message as a Cloud Storage notification, or says precisely why it is not one.
 *
 * <p>Strict on purpose; every rejection is a {@link NotificationException} whose error type is the
 * dead letter's:
 *
 * <ul>
 *   <li>{@value #OVERSIZE_MESSAGE}: the payload is larger than any real notification;
 *   <li>{@value #MISSING_ATTRIBUTE}: an attribute Cloud Storage always sends is absent or empty;
 *   <li>{@value #INVALID_ATTRIBUTE}: an attribute is not valid: a generation that is not a positive
 *       64-bit decimal, a time that is not RFC 3339, a bad bucket name;
 *   <li>{@value #UNSAFE_OBJECT_NAME}: the object name could escape a bucket root or confuse a file
 *       system ({@link StorageNames#objectProblem});
 *   <li>{@value #UNSUPPORTED_PAYLOAD_FORMAT}: a payload format other than {@code JSON_API_V1} and
 *       {@code NONE};
 *   <li>{@value #MALFORMED_JSON}: the {@code JSON_API_V1} payload is not well-formed JSON
 *       (duplicate keys and trailing data included);
 *   <li>{@value #INVALID_PAYLOAD}: it is JSON, but not an object resource of the expected shape;
 *   <li>{@value #INCONSISTENT_PAYLOAD}: it describes another bucket, object or generation than the
 *       attributes.
 * </ul>
 */
public final class NotificationParser {
  /** Larger than any real notification (object metadata is capped at 8 KiB), far below 10 MB. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  public static final String OVERSIZE_MESSAGE = "OversizeMessage";
  public static final String MISSING_ATTRIBUTE = "MissingAttribute";
  public static final String INVALID_ATTRIBUTE = "InvalidAttribute";
  public static final String UNSAFE_OBJECT_NAME = "UnsafeObjectName";
  public static final String UNSUPPORTED_PAYLOAD_FORMAT = "UnsupportedPayloadFormat";
  public static final String MALFORMED_JSON = "MalformedJson";
  public static final String INVALID_PAYLOAD = "InvalidPayload";
  public static final String INCONSISTENT_PAYLOAD = "InconsistentPayload";

  public static final String EVENT_TYPE = "eventType";
  public static final String PAYLOAD_FORMAT = "payloadFormat";
  public static final String BUCKET_ID = "bucketId";
  public static final String OBJECT_ID = "objectId";
  public static final String OBJECT_GENERATION = "objectGeneration";
  public static final String EVENT_TIME = "eventTime";
  public static final String OVERWROTE_GENERATION = "overwroteGeneration";

  /**
   * Marks a notification republished on purpose (a dead letter replayed after a fix): any non-empty
   * value, e.g. who replayed it and why. Cloud Storage never sends it.
   */
  public static final String REPLAY = "gcsRewriteReplay";

  /**
   * Marks a notification the reconcile command made for a generation it listed: the reconcile job's
   * name, which tells an operator (in a dead letter, say) where it came from. Cloud Storage never
   * sends it.
   */
  public static final String RECONCILE = "gcsRewriteReconcile";

  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}");
  private static final Pattern EVENT_TYPE_FORMAT = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private NotificationParser() {}

  /**
   * Parses {@code message}, published at {@code publishTime}.
   *
   * @throws NotificationException if the message is not a usable notification
   */
  public static GcsNotification parse(OriginalMessage message, Instant publishTime)
      throws NotificationException {
    byte[] payload = message.payload();
    check(
        payload.length <= MAX_PAYLOAD_BYTES,
        OVERSIZE_MESSAGE,
        "payload is %d bytes; a Cloud Storage notification is at most %d",
        payload.length,
        MAX_PAYLOAD_BYTES);
    String eventType = required(message, EVENT_TYPE);
    if (!EVENT_TYPE_FORMAT.matcher(eventType).matches()) {
      throw invalid(INVALID_ATTRIBUTE, EVENT_TYPE, eventType, "is not an event type");
    }
    String payloadFormat = required(message, PAYLOAD_FORMAT);
    String bucket = required(message, BUCKET_ID);
    String objectId = required(message, OBJECT_ID);
    long generation = generation(OBJECT_GENERATION, required(message, OBJECT_GENERATION));
    String eventTime = required(message, EVENT_TIME);
    try {
      OffsetDateTime.parse(eventTime);
    } catch (DateTimeParseException e) {
      throw invalid(INVALID_ATTRIBUTE, EVENT_TIME, eventTime, "is not an RFC 3339 time");
    }
    String overwrote = message.attribute(OVERWROTE_GENERATION);
    Long overwroteGeneration =
        overwrote == null ? null : generation(OVERWROTE_GENERATION, overwrote);
    String bucketProblem = StorageNames.bucketProblem(bucket);
    check(bucketProblem == null, INVALID_ATTRIBUTE, "%s: %s", BUCKET_ID, bucketProblem);
    String objectProblem = StorageNames.objectProblem(objectId);
    check(objectProblem == null, UNSAFE_OBJECT_NAME, "%s: %s", OBJECT_ID, objectProblem);

    JsonNode resource =
        switch (payloadFormat) {
          case GcsNotification.JSON_API_V1 -> readResource(payload);
          case GcsNotification.PAYLOAD_NONE -> MissingNode.getInstance();
          default ->
              throw invalid(
                  UNSUPPORTED_PAYLOAD_FORMAT,
                  PAYLOAD_FORMAT,
                  payloadFormat,
                  "is not JSON_API_V1 or NONE");
        };
    // Every field is read, and its type checked, before the resource is compared with attributes.
    String resourceBucket = text(resource, "bucket");
    String resourceName = text(resource, "name");
    Long resourceGeneration = number(resource, "generation");
    GcsNotification notification =
        new GcsNotification(
            bucket,
            objectId,
            generation,
            eventType,
            payloadFormat,
            eventTime,
            overwroteGeneration,
            number(resource, "metageneration"),
            number(resource, "size"),
            text(resource, "contentType"),
            text(resource, "md5Hash"),
            text(resource, "crc32c"),
            message.messageId(),
            publishTime,
            message);
    checkSame("bucket", resourceBucket, bucket);
    checkSame("name", resourceName, objectId);
    checkSame("generation", resourceGeneration, generation);
    return notification;
  }

  /** Throws a {@code errorType} exception with the formatted message unless {@code ok}. */
  private static void check(boolean ok, String errorType, String format, Object... args)
      throws NotificationException {
    if (!ok) {
      throw new NotificationException(errorType, String.format(format, args));
    }
  }

  private static String required(OriginalMessage message, String name)
      throws NotificationException {
    String value = message.attribute(name);
    check(value != null, MISSING_ATTRIBUTE, "attribute %s is missing", name);
    check(!value.isEmpty(), MISSING_ATTRIBUTE, "attribute %s is empty", name);
    return value;
  }

  private static long generation(String name, String text) throws NotificationException {
    long value = decimal(INVALID_ATTRIBUTE, name, text);
    if (value <= 0) {
      throw invalid(INVALID_ATTRIBUTE, name, text, "is not a positive generation");
    }
    return value;
  }

  private static long decimal(String errorType, String name, String text)
      throws NotificationException {
    if (!DECIMAL.matcher(text).matches()) {
      throw invalid(errorType, name, text, "is not a decimal number");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw invalid(errorType, name, text, "does not fit in 64 bits");
    }
  }

  private static NotificationException invalid(
      String errorType, String name, String value, String problem) {
    String shown = StorageNames.printable(value);
    if (shown.length() > 64) {
      shown = shown.substring(0, 64) + "...";
    }
    return new NotificationException(errorType, name + " '" + shown + "' " + problem);
  }

  private static JsonNode readResource(byte[] payload) throws NotificationException {
    check(
        payload.length > 0,
        INVALID_PAYLOAD,
        "payload format is JSON_API_V1 but the message has no data");
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
      throw new NotificationException(MALFORMED_JSON, e.getOriginalMessage() + where);
    } catch (IOException e) {
      throw new NotificationException(MALFORMED_JSON, String.valueOf(e.getMessage()));
    }
    check(
        root != null && root.isObject(),
        INVALID_PAYLOAD,
        "JSON_API_V1 payload is %s, not an object resource",
        root == null ? "empty" : root.getNodeType().toString().toLowerCase());
    return root;
  }

  private static @Nullable String text(JsonNode resource, String field)
      throws NotificationException {
    JsonNode node = resource.path(field);
    check(
        node.isTextual() || node.isMissingNode() || node.isNull(),
        INVALID_PAYLOAD,
        "payload field %s is %s, not text",
        field,
        node.getNodeType());
    return node.textValue();
  }

  /** The JSON API writes 64-bit numbers as strings; plain JSON integers are accepted too. */
  private static @Nullable Long number(JsonNode resource, String field)
      throws NotificationException {
    JsonNode node = resource.path(field);
    if (node.isTextual()) {
      return decimal(INVALID_PAYLOAD, "payload field " + field, node.textValue());
    }
    boolean valid = node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0;
    check(
        valid || node.isMissingNode() || node.isNull(),
        INVALID_PAYLOAD,
        "payload field %s is not a non-negative 64-bit number",
        field);
    return valid ? node.longValue() : null;
  }

  /** Refuses a payload whose {@code field} names another object or generation. */
  private static void checkSame(String field, @Nullable Object inPayload, Object inAttributes)
      throws NotificationException {
    check(
        inPayload == null || inPayload.equals(inAttributes),
        INCONSISTENT_PAYLOAD,
        "payload %s '%s' differs from the attributes' '%s'",
        field,
        StorageNames.printable(String.valueOf(inPayload)),
        StorageNames.printable(inAttributes.toString()));
  }
}
