package dev.gcsrewrite.local.notifier;

import static dev.gcsrewrite.notification.NotificationParser.BUCKET_ID;
import static dev.gcsrewrite.notification.NotificationParser.EVENT_TIME;
import static dev.gcsrewrite.notification.NotificationParser.EVENT_TYPE;
import static dev.gcsrewrite.notification.NotificationParser.OBJECT_GENERATION;
import static dev.gcsrewrite.notification.NotificationParser.OBJECT_ID;
import static dev.gcsrewrite.notification.NotificationParser.OVERWROTE_GENERATION;
import static dev.gcsrewrite.notification.NotificationParser.PAYLOAD_FORMAT;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Builds the Pub/Sub messages that Cloud Storage publishes for a notification configuration with
 * payload format {@code JSON_API_V1}, in exactly the shape of the samples in {@code
 * src/test/resources/notifications/}: the same attributes, and the object resource as pretty
 * printed JSON with the same fields in the same order.
 *
 * <p>It exists so that local runs feed the pipeline messages it cannot tell from real ones: a local
 * stack that published a simplified format would test a parser path production never takes.
 * Messages carry no message ID: the Pub/Sub service assigns one when they are published.
 */
public final class StorageNotifications {
  public static final String OBJECT_FINALIZE = "OBJECT_FINALIZE";
  public static final String OBJECT_DELETE = "OBJECT_DELETE";
  public static final String JSON_API_V1 = "JSON_API_V1";

  /** Attribute naming the notification configuration that published the message. */
  public static final String NOTIFICATION_CONFIG = "notificationConfig";

  /** Attribute of the delete sent for a generation that a newer one replaced. */
  public static final String OVERWRITTEN_BY_GENERATION = "overwrittenByGeneration";

  /** Stands for Cloud Storage's configuration number; there is one configuration locally. */
  public static final String LOCAL_CONFIG_ID = "local";

  /** Content type of names with an extension the JDK does not know. */
  public static final String UNKNOWN_CONTENT_TYPE = "application/octet-stream";

  /** Content type of names without an extension, like the tutorial's {@code work001}. */
  public static final String NO_EXTENSION_CONTENT_TYPE = "text/plain";

  private static final String STORAGE_API = "https://www.googleapis.com/storage/v1/b/";
  private static final String DOWNLOAD_API =
      "https://storage.googleapis.com/download/storage/v1/b/";
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter JSON = MAPPER.writer(new SamplePrinter());

  private StorageNotifications() {}

  /**
   * The OBJECT_FINALIZE Cloud Storage publishes when {@code object} is written. Its event time is
   * the generation's creation time, as in real notifications.
   *
   * @param overwroteGeneration the generation it replaced, or null for a new name
   */
  public static PubsubMessage finalized(StoredObject object, @Nullable Long overwroteGeneration) {
    Map<String, String> attributes = attributes(OBJECT_FINALIZE, object, micros(object.created()));
    if (overwroteGeneration != null) {
      attributes.put(OVERWROTE_GENERATION, Long.toString(overwroteGeneration));
    }
    return new PubsubMessage(body(object, null), attributes);
  }

  /**
   * The OBJECT_DELETE Cloud Storage publishes when {@code object} stops being the live generation
   * at {@code deletedAt}: removed, or (non-versioned bucket) replaced by a newer generation.
   *
   * @param overwrittenByGeneration the generation that replaced it, or null for a removal
   */
  public static PubsubMessage deleted(
      StoredObject object, Instant deletedAt, @Nullable Long overwrittenByGeneration) {
    Map<String, String> attributes = attributes(OBJECT_DELETE, object, micros(deletedAt));
    if (overwrittenByGeneration != null) {
      attributes.put(OVERWRITTEN_BY_GENERATION, Long.toString(overwrittenByGeneration));
    }
    return new PubsubMessage(body(object, deletedAt), attributes);
  }

  /**
   * The content type an object named {@code name} gets: the JDK's guess from the extension of the
   * last segment, {@value #NO_EXTENSION_CONTENT_TYPE} without an extension (the tutorial's workload
   * is extension-less text, and the samples show its objects as {@code text/plain}), and {@value
   * #UNKNOWN_CONTENT_TYPE} for an extension the JDK does not know.
   */
  public static String contentType(String name) {
    String leaf = name.substring(name.lastIndexOf('/') + 1);
    int dot = leaf.lastIndexOf('.');
    if (dot <= 0) {
      // A leading dot (".env") names a hidden file, not an extension.
      return NO_EXTENSION_CONTENT_TYPE;
    }
    // Only the extension is handed over: the JDK's table cuts names at '#' and '?', which are
    // ordinary characters in object names.
    String extension = leaf.substring(dot).toLowerCase(Locale.ROOT);
    String guessed = URLConnection.guessContentTypeFromName("object" + extension);
    return guessed == null ? UNKNOWN_CONTENT_TYPE : guessed;
  }

  private static Map<String, String> attributes(
      String eventType, StoredObject object, String eventTime) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put(
        NOTIFICATION_CONFIG,
        "projects/_/buckets/" + object.bucket() + "/notificationConfigs/" + LOCAL_CONFIG_ID);
    attributes.put(EVENT_TYPE, eventType);
    attributes.put(PAYLOAD_FORMAT, JSON_API_V1);
    attributes.put(BUCKET_ID, object.bucket());
    attributes.put(OBJECT_ID, object.name());
    attributes.put(OBJECT_GENERATION, Long.toString(object.generation()));
    attributes.put(EVENT_TIME, eventTime);
    return attributes;
  }

  private static byte[] body(StoredObject object, @Nullable Instant deletedAt) {
    String generation = Long.toString(object.generation());
    String encodedName = percentEncode(object.name());
    String created = MILLIS.format(object.created());
    ObjectNode body = MAPPER.createObjectNode();
    body.put("kind", "storage#object");
    body.put("id", object.bucket() + "/" + object.name() + "/" + generation);
    body.put("selfLink", STORAGE_API + object.bucket() + "/o/" + encodedName);
    body.put("name", object.name());
    body.put("bucket", object.bucket());
    body.put("generation", generation);
    // Metadata never changes locally, so every generation stays at its first metageneration.
    body.put("metageneration", "1");
    body.put("contentType", object.contentType());
    body.put("timeCreated", created);
    body.put("updated", created);
    body.put("storageClass", "STANDARD");
    body.put("timeStorageClassUpdated", created);
    body.put("size", Long.toString(object.size()));
    body.put("md5Hash", object.md5Hash());
    body.put(
        "mediaLink",
        DOWNLOAD_API
            + object.bucket()
            + "/o/"
            + encodedName
            + "?generation="
            + generation
            + "&alt=media");
    body.put("crc32c", object.crc32c());
    body.put("etag", etag(object.generation(), 1));
    if (deletedAt != null) {
      body.put("timeDeleted", MILLIS.format(deletedAt));
    }
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      // A tree of strings always serialises.
      throw new IllegalStateException(e);
    }
  }

  /**
   * Cloud Storage's JSON API etag: base64 of a protocol buffer holding the generation (field 1) and
   * the metageneration (field 2), as the samples' etags decode.
   */
  static String etag(long generation, long metageneration) {
    ByteArrayOutputStream proto = new ByteArrayOutputStream(24);
    proto.write(0x08);
    varint(proto, generation);
    proto.write(0x10);
    varint(proto, metageneration);
    return Base64.getEncoder().encodeToString(proto.toByteArray());
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    long rest = value;
    while ((rest & ~0x7fL) != 0) {
      out.write((int) (rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.write((int) rest);
  }

  /**
   * Percent-encodes an object name as one URL path segment, as the API's links do ({@code /}
   * becomes {@code %2F}). Everything but RFC 3986's unreserved characters is encoded, UTF-8 bytes
   * for non-ASCII, spaces as {@code %20} (URLEncoder's {@code +} is for forms, not paths).
   */
  static String percentEncode(String name) {
    StringBuilder out = new StringBuilder(name.length() * 3 / 2);
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static String micros(Instant time) {
    return MICROS.format(time);
  }

  /**
   * Pretty printing as in the samples: two-space indent, {@code "key": value}, {@code \n} line ends
   * whatever the platform. Jackson's default puts a space before the colon too.
   */
  private static final class SamplePrinter extends DefaultPrettyPrinter {
    SamplePrinter() {
      indentObjectsWith(new DefaultIndenter("  ", "\n"));
    }

    private SamplePrinter(SamplePrinter base) {
      super(base);
    }

    @Override
    public DefaultPrettyPrinter createInstance() {
      return new SamplePrinter(this);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator generator) throws IOException {
      generator.writeRaw(": ");
    }
  }
}
