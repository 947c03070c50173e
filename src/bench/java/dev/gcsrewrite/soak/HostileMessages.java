package dev.gcsrewrite.soak;

import dev.gcsrewrite.local.notifier.NotificationPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * Messages the pipeline must dead-letter, each carrying the attribute {@value #MARK} (kept in its
 * dead letter with the rest of the original), so that the checker tells them from any other dead
 * letter, which would be a violation.
 */
final class HostileMessages {
  /** The attribute naming a hostile message: {@code <kind>#<number>}. */
  static final String MARK = "soakHostile";

  /** The kinds, by the {@code errorType} their dead letter must carry. */
  static final List<String> KINDS =
      List.of(
          "MalformedJson",
          "MissingAttribute",
          "UnsafeObjectName",
          "InvalidAttribute",
          "BucketNotAllowed");

  private final NotificationPublisher topic;
  private final String bucket;
  // Guarded by this: mark -> kind.
  private final Map<String, String> published = new TreeMap<>();

  HostileMessages(NotificationPublisher topic, String bucket) {
    this.topic = topic;
    this.bucket = bucket;
  }

  /** One of each kind. */
  void publishEach() throws IOException {
    for (int i = 0; i < KINDS.size(); i++) {
      publishOne(i);
    }
  }

  /** The kind {@code pick} selects (modulo their number). */
  void publishOne(int pick) throws IOException {
    String kind = KINDS.get(pick % KINDS.size());
    String mark;
    synchronized (this) {
      mark = kind + "#" + (published.size() + 1);
      published.put(mark, kind);
    }
    topic.publish(List.of(message(kind, mark)));
  }

  /** Every hostile message published: its mark and kind. */
  synchronized Map<String, String> published() {
    return new TreeMap<>(published);
  }

  private PubsubMessage message(String kind, String mark) {
    String number = mark.substring(mark.indexOf('#') + 1);
    Map<String, String> attributes = new HashMap<>();
    attributes.put("notificationConfig", "projects/_/buckets/" + bucket + "/notificationConfigs/1");
    attributes.put("eventType", "OBJECT_FINALIZE");
    attributes.put("payloadFormat", "NONE");
    attributes.put("bucketId", bucket);
    attributes.put("objectId", "hostile-" + number + ".txt");
    attributes.put("objectGeneration", "1764000000000001");
    attributes.put("eventTime", "2026-12-01T10:00:00.000000Z");
    attributes.put(MARK, mark);
    byte[] payload = new byte[0];
    switch (kind) {
      case "MalformedJson" -> {
        attributes.put("payloadFormat", "JSON_API_V1");
        payload = "{\"kind\": \"storage#object\", oops".getBytes(StandardCharsets.UTF_8);
      }
      case "MissingAttribute" -> attributes.remove("objectGeneration");
      case "UnsafeObjectName" -> attributes.put("objectId", "../../etc/passwd-" + number);
      case "InvalidAttribute" -> attributes.put("objectGeneration", "12ab" + number);
      case "BucketNotAllowed" -> attributes.put("bucketId", "otherbucket" + number);
      default -> throw new IllegalArgumentException(kind);
    }
    return new PubsubMessage(payload, attributes);
  }
}
