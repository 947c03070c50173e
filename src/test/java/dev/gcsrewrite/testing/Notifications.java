package dev.gcsrewrite.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.joda.time.Instant;

/**
 * Notification fixtures: the real samples from {@code src/test/resources/notifications/} (copied
 * from the design's shared samples), and builders for notifications in the same format.
 */
public final class Notifications {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The bucket every built notification refers to. */
  public static final String BUCKET = "workbucket01_demo-project";

  private Notifications() {}

  /**
   * {@code <bucket>/<objectId>#<generation>} in {@link #BUCKET}: how the pipeline's events, records
   * and outputs name one generation ({@code GcsNotification.generationKey()}), for expectations.
   */
  public static String generationKey(String objectId, long generation) {
    return BUCKET + "/" + objectId + "#" + generation;
  }

  /**
   * A {@code TestStream} of notifications as {@code ReadNotifications} emits them (attributes and
   * message ID), for tests that feed the graph after it.
   */
  public static TestStream.Builder<PubsubMessage> stream() {
    return TestStream.create(PubsubMessageWithAttributesAndMessageIdCoder.of());
  }

  /** The sample {@code name} (e.g. {@code finalize.json}) as Pub/Sub delivers it. */
  public static PubsubMessage sample(String name) {
    JsonNode root = sampleJson(name);
    Map<String, String> attributes = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.get("attributes").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      attributes.put(field.getKey(), field.getValue().asText());
    }
    byte[] data =
        root.has("data") ? Base64.getDecoder().decode(root.get("data").asText()) : new byte[0];
    return new PubsubMessage(data, attributes, root.get("messageId").asText());
  }

  /** The sample's publish time, which Pub/Sub uses as the element timestamp. */
  public static Instant samplePublishTime(String name) {
    return Instant.parse(sampleJson(name).get("publishTime").asText());
  }

  /**
   * An OBJECT_FINALIZE notification with a JSON_API_V1 body, as Cloud Storage sends for {@code
   * objectId} in {@link #BUCKET}, of {@code size} bytes (the writer holds what it reads to it),
   * without checksums; {@link #newObject(String, long, byte[], String)} has them.
   */
  public static PubsubMessage newObject(
      String objectId, long generation, long size, String messageId) {
    Map<String, String> attributes = attributes("OBJECT_FINALIZE", objectId, generation);
    ObjectNode body = JSON.createObjectNode();
    body.put("kind", "storage#object");
    body.put("id", BUCKET + "/" + objectId + "/" + generation);
    body.put("name", objectId);
    body.put("bucket", BUCKET);
    body.put("generation", Long.toString(generation));
    body.put("metageneration", "1");
    body.put("contentType", "text/plain");
    body.put("size", Long.toString(size));
    return new PubsubMessage(json(body), attributes, messageId);
  }

  /**
   * An OBJECT_FINALIZE notification describing {@code content} exactly, as Cloud Storage would: its
   * size, MD5 and CRC32C.
   */
  public static PubsubMessage newObject(
      String objectId, long generation, byte[] content, String messageId) {
    PubsubMessage message = newObject(objectId, generation, content.length, messageId);
    message = withBodyField(message, "md5Hash", TextNode.valueOf(md5(content)));
    return withBodyField(message, "crc32c", TextNode.valueOf(crc32c(content)));
  }

  /** A notification of {@code eventType} with payload format NONE (attributes only). */
  public static PubsubMessage event(
      String eventType, String objectId, long generation, String messageId) {
    Map<String, String> attributes = attributes(eventType, objectId, generation);
    attributes.put("payloadFormat", "NONE");
    return new PubsubMessage(new byte[0], attributes, messageId);
  }

  /**
   * A parsed OBJECT_FINALIZE notification with payload format NONE, for steps tested alone that
   * start after parsing.
   */
  public static GcsNotification parsed(
      String bucket, String objectId, long generation, String messageId) {
    return new GcsNotification(
        bucket,
        objectId,
        generation,
        GcsNotification.OBJECT_FINALIZE,
        GcsNotification.PAYLOAD_NONE,
        "2026-11-20T09:15:02Z",
        null,
        null,
        null,
        null,
        null,
        null,
        messageId,
        Instant.parse("2026-11-20T09:15:03Z"),
        new OriginalMessage(new byte[0], new TreeMap<>(), messageId));
  }

  /**
   * A parsed OBJECT_FINALIZE notification whose payload described {@code content} as Cloud Storage
   * would: its size, MD5 and CRC32C.
   */
  public static GcsNotification parsedDescribing(
      String bucket, String objectId, long generation, String messageId, byte[] content) {
    return new GcsNotification(
        bucket,
        objectId,
        generation,
        GcsNotification.OBJECT_FINALIZE,
        GcsNotification.JSON_API_V1,
        "2026-11-20T09:15:02Z",
        null,
        1L,
        (long) content.length,
        "text/plain",
        md5(content),
        crc32c(content),
        messageId,
        Instant.parse("2026-11-20T09:15:03Z"),
        new OriginalMessage(new byte[0], new TreeMap<>(), messageId));
  }

  /** {@code text} in UTF-8: the content of a test's objects and messages. */
  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Base64 of the MD5 of {@code content}, as Cloud Storage writes {@code md5Hash}. */
  public static String md5(byte[] content) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64 of the big-endian CRC32C of {@code content}, as Cloud Storage writes {@code crc32c}. */
  public static String crc32c(byte[] content) {
    CRC32C crc = new CRC32C();
    crc.update(content);
    long value = crc.getValue();
    return Base64.getEncoder()
        .encodeToString(
            new byte[] {
              (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
            });
  }

  /** The same message under another message ID, as a duplicate notification arrives. */
  public static PubsubMessage redelivered(PubsubMessage message, String newMessageId) {
    return new PubsubMessage(message.getPayload(), message.getAttributeMap(), newMessageId);
  }

  /** A copy of {@code message} with one attribute set, or removed when {@code value} is null. */
  public static PubsubMessage withAttribute(PubsubMessage message, String key, String value) {
    Map<String, String> attributes = new HashMap<>(message.getAttributeMap());
    if (value == null) {
      attributes.remove(key);
    } else {
      attributes.put(key, value);
    }
    return new PubsubMessage(message.getPayload(), attributes, message.getMessageId());
  }

  /** A copy of {@code message} with another payload. */
  public static PubsubMessage withPayload(PubsubMessage message, byte[] payload) {
    return new PubsubMessage(payload, message.getAttributeMap(), message.getMessageId());
  }

  /** A copy of {@code message} whose JSON body has one field set (as a string) or removed. */
  public static PubsubMessage withBodyField(PubsubMessage message, String field, JsonNode value) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(message.getPayload());
      if (value == null) {
        body.remove(field);
      } else {
        body.set(field, value);
      }
      return withPayload(message, json(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> attributes(
      String eventType, String objectId, long generation) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("notificationConfig", "projects/_/buckets/" + BUCKET + "/notificationConfigs/3");
    attributes.put("eventType", eventType);
    attributes.put("payloadFormat", "JSON_API_V1");
    attributes.put("bucketId", BUCKET);
    attributes.put("objectId", objectId);
    attributes.put("objectGeneration", Long.toString(generation));
    attributes.put("eventTime", "2026-11-20T09:15:02.412883Z");
    return attributes;
  }

  private static byte[] json(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(node)
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode sampleJson(String name) {
    try (InputStream in = Notifications.class.getResourceAsStream("/notifications/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no sample " + name);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
