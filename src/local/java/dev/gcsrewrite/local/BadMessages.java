package dev.gcsrewrite.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * Messages the pipeline must not accept, published by the local stack so that a run shows the
 * dead-letter path too: a body that is not JSON, a notification without its generation, and an
 * object name that would climb out of the bucket.
 */
final class BadMessages {
  private BadMessages() {}

  /** {@code count} malformed messages, cycling through the kinds above. */
  static List<PubsubMessage> make(int count, String bucket) {
    List<PubsubMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      switch (i % 3) {
        case 0 -> {
          Map<String, String> attributes = attributes(bucket, "bad-json-" + i, "1763630102412883");
          attributes.put("payloadFormat", "JSON_API_V1");
          messages.add(
              new PubsubMessage(
                  "{\"kind\": \"storage#object\", oops".getBytes(StandardCharsets.UTF_8),
                  attributes));
        }
        case 1 -> {
          Map<String, String> attributes = attributes(bucket, "no-generation-" + i, "0");
          attributes.remove("objectGeneration");
          messages.add(new PubsubMessage(new byte[0], attributes));
        }
        default ->
            messages.add(
                new PubsubMessage(
                    new byte[0], attributes(bucket, "../../etc/passwd-" + i, "1763630102412883")));
      }
    }
    return messages;
  }

  private static Map<String, String> attributes(String bucket, String objectId, String generation) {
    Map<String, String> attributes = new HashMap<>();
    attributes.put("notificationConfig", "projects/_/buckets/" + bucket + "/notificationConfigs/1");
    attributes.put("eventType", "OBJECT_FINALIZE");
    attributes.put("payloadFormat", "NONE");
    attributes.put("bucketId", bucket);
    attributes.put("objectId", objectId);
    attributes.put("objectGeneration", generation);
    attributes.put("eventTime", "2026-11-23T10:00:00.000000Z");
    return attributes;
  }
}
