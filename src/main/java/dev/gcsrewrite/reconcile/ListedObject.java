package dev.gcsrewrite.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One current object generation as a bucket listing describes it, and the notification Cloud
 * Storage would have sent for it.
 *
 * @param bucket the bucket
 * @param name the object name
 * @param generation the generation (on local folders, see {@link LocalFolderLister})
 * @param metageneration the metageneration (1 on local folders)
 * @param size the size in bytes
 * @param contentType the content type, if known
 * @param md5Hash base64 MD5 of the content, if known (composite objects have none)
 * @param crc32c base64 big-endian CRC32C of the content, if known
 * @param updated when the generation was last updated (its creation, on local folders)
 */
public record ListedObject(
    String bucket,
    String name,
    long generation,
    long metageneration,
    long size,
    @Nullable String contentType,
    @Nullable String md5Hash,
    @Nullable String crc32c,
    Instant updated) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code <bucket>/<name>#<generation>}, as the pipeline's logs and claims write a generation. */
  public String generationKey() {
    return bucket + "/" + name + "#" + generation;
  }

  /**
   * The {@code OBJECT_FINALIZE} notification ({@code JSON_API_V1}) Cloud Storage would have sent,
   * so that the generation goes through the streaming job's steps as a notified one does. It is
   * marked {@value NotificationParser#RECONCILE} with the job's name, and its message ID is {@code
   * <jobName>:<generationKey>}, which Redis records as the claim's message.
   */
  public PubsubMessage toNotification(String jobName) {
    String generation = Long.toString(this.generation);
    Map<String, String> attributes = new HashMap<>();
    attributes.put(NotificationParser.EVENT_TYPE, GcsNotification.OBJECT_FINALIZE);
    attributes.put(NotificationParser.PAYLOAD_FORMAT, GcsNotification.JSON_API_V1);
    attributes.put(NotificationParser.BUCKET_ID, bucket);
    attributes.put(NotificationParser.OBJECT_ID, name);
    attributes.put(NotificationParser.OBJECT_GENERATION, generation);
    attributes.put(NotificationParser.EVENT_TIME, updated.toString());
    attributes.put(NotificationParser.RECONCILE, jobName);
    ObjectNode body =
        JSON.createObjectNode()
            .put("kind", "storage#object")
            .put("id", bucket + "/" + name + "/" + generation)
            .put("name", name)
            .put("bucket", bucket)
            .put("generation", generation)
            .put("metageneration", Long.toString(metageneration));
    if (contentType != null) {
      body.put("contentType", contentType);
    }
    body.put("updated", updated.toString()).put("size", Long.toString(size));
    if (md5Hash != null) {
      body.put("md5Hash", md5Hash);
    }
    if (crc32c != null) {
      body.put("crc32c", crc32c);
    }
    try {
      return new PubsubMessage(
          JSON.writeValueAsBytes(body), attributes, jobName + ":" + generationKey());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }
}
