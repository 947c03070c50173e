package dev.gcsrewrite.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.local.notifier.NotificationPublisher;
import dev.gcsrewrite.local.notifier.StorageNotifications;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The soak's ground truth: every OBJECT_FINALIZE the local bucket notifier published, recorded on
 * its way to the notifications topic. The notifier decides generations (as Cloud Storage would);
 * this sees each one exactly as the pipeline does, with the size and MD5 its body announces.
 *
 * <p>It also publishes duplicates: a recent notification sent again, under a new message ID, as
 * Pub/Sub's at-least-once delivery does.
 */
final class NotifiedGenerations implements NotificationPublisher {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How recent a notification must be to be duplicated: a redelivery comes soon after. */
  private static final Duration DUPLICATE_WINDOW = Duration.ofSeconds(5);

  /** One notified generation of an object. */
  record Generation(String name, long generation, long size, String md5Hash, Instant notified) {}

  private record Recent(PubsubMessage message, Instant published) {}

  private final NotificationPublisher topic;
  // Guarded by this.
  private final Map<String, NavigableMap<Long, Generation>> byName = new TreeMap<>();
  // name#generation -> when a newer generation or the generation's deletion was first notified.
  private final Map<String, Instant> endedAt = new HashMap<>();
  private final Deque<Recent> recent = new ArrayDeque<>();
  private long messages;
  private long duplicates;
  private long deletes;

  NotifiedGenerations(NotificationPublisher topic) {
    this.topic = topic;
  }

  @Override
  public void publish(List<PubsubMessage> batch) throws IOException {
    topic.publish(batch);
    Instant now = Instant.now();
    synchronized (this) {
      messages += batch.size();
      for (PubsubMessage message : batch) {
        String type = message.getAttribute("eventType");
        String name = message.getAttribute("objectId");
        if (StorageNotifications.OBJECT_DELETE.equals(type)) {
          deletes++;
          endedAt.putIfAbsent(name + "#" + message.getAttribute("objectGeneration"), now);
        }
        if (!StorageNotifications.OBJECT_FINALIZE.equals(type)) {
          continue;
        }
        long generation = Long.parseLong(message.getAttribute("objectGeneration"));
        JsonNode body = JSON.readTree(message.getPayload());
        NavigableMap<Long, Generation> known = byName.get(name);
        if (known != null) {
          for (long older : known.headMap(generation, false).keySet()) {
            endedAt.putIfAbsent(name + "#" + older, now);
          }
        }
        byName
            .computeIfAbsent(name, n -> new TreeMap<>())
            .putIfAbsent(
                generation,
                new Generation(
                    name,
                    generation,
                    Long.parseLong(body.get("size").asText()),
                    body.get("md5Hash").asText(),
                    now));
        recent.addLast(new Recent(message, now));
      }
    }
  }

  /**
   * Publishes again one notification of the last few seconds whose generation is still its object's
   * newest (the {@code pick}-th modulo their number); returns false when there is none.
   */
  boolean publishDuplicate(int pick) throws IOException {
    PubsubMessage chosen;
    synchronized (this) {
      Instant oldest = Instant.now().minus(DUPLICATE_WINDOW);
      while (!recent.isEmpty() && recent.peekFirst().published().isBefore(oldest)) {
        recent.removeFirst();
      }
      List<PubsubMessage> candidates = new ArrayList<>();
      for (Recent r : recent) {
        String name = r.message().getAttribute("objectId");
        long generation = Long.parseLong(r.message().getAttribute("objectGeneration"));
        if (byName.get(name).lastKey() == generation) {
          candidates.add(r.message());
        }
      }
      if (candidates.isEmpty()) {
        return false;
      }
      chosen = candidates.get(pick % candidates.size());
    }
    topic.publish(List.of(new PubsubMessage(chosen.getPayload(), chosen.getAttributeMap())));
    synchronized (this) {
      messages++;
      duplicates++;
    }
    return true;
  }

  /** Every notified generation, by object name, oldest first. */
  synchronized Map<String, NavigableMap<Long, Generation>> all() {
    Map<String, NavigableMap<Long, Generation>> copy = new TreeMap<>();
    byName.forEach((name, generations) -> copy.put(name, new TreeMap<>(generations)));
    return copy;
  }

  /**
   * When the generation stopped being its object's current one, as far as notifications tell: the
   * first notification of a newer generation or of its deletion; null while it is current.
   */
  synchronized @Nullable Instant endedAt(String name, long generation) {
    return endedAt.get(name + "#" + generation);
  }

  synchronized @Nullable Generation newest(String name) {
    NavigableMap<Long, Generation> generations = byName.get(name);
    return generations == null ? null : generations.lastEntry().getValue();
  }

  synchronized int count() {
    return byName.values().stream().mapToInt(Map::size).sum();
  }

  synchronized long messages() {
    return messages;
  }

  synchronized long duplicates() {
    return duplicates;
  }

  synchronized long deletes() {
    return deletes;
  }
}
