package dev.gcsrewrite.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * The notification Cloud Storage would have sent for a listed generation ({@code OBJECT_FINALIZE},
 * payload format {@code JSON_API_V1}, the object resource with its size and checksums), marked
 * {@value NotificationParser#RECONCILE} with the reconcile job's name, so that it goes through the
 * streaming job's own steps exactly as a real one would.
 */
public final class ReconcileNotifications {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReconcileNotifications() {}

  /**
   * The notification of {@code object}, with a message ID of its own ({@code
   * <jobName>:<generationKey>}: Redis records it as the claim's message, so an operator can tell
   * reconciled generations from notified ones).
   */
  public static PubsubMessage of(ListedObject object, String jobName) {
    String generation = Long.toString(object.generation());
    String eventTime = object.updated().toString();
    Map<String, String> attributes = new HashMap<>();
    attributes.put(NotificationParser.EVENT_TYPE, GcsNotification.OBJECT_FINALIZE);
    attributes.put(NotificationParser.PAYLOAD_FORMAT, GcsNotification.JSON_API_V1);
    attributes.put(NotificationParser.BUCKET_ID, object.bucket());
    attributes.put(NotificationParser.OBJECT_ID, object.name());
    attributes.put(NotificationParser.OBJECT_GENERATION, generation);
    attributes.put(NotificationParser.EVENT_TIME, eventTime);
    attributes.put(NotificationParser.RECONCILE, jobName);
    ObjectNode body = JSON.createObjectNode();
    body.put("kind", "storage#object");
    body.put("id", object.bucket() + "/" + object.name() + "/" + generation);
    body.put("name", object.name());
    body.put("bucket", object.bucket());
    body.put("generation", generation);
    body.put("metageneration", Long.toString(object.metageneration()));
    if (object.contentType() != null) {
      body.put("contentType", object.contentType());
    }
    body.put("updated", eventTime);
    body.put("size", Long.toString(object.size()));
    if (object.md5Hash() != null) {
      body.put("md5Hash", object.md5Hash());
    }
    if (object.crc32c() != null) {
      body.put("crc32c", object.crc32c());
    }
    try {
      return new PubsubMessage(
          JSON.writeValueAsBytes(body), attributes, jobName + ":" + object.generationKey());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }
}
