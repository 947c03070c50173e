package dev.gcsrewrite.local.notifier;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announcements waiting to be published, each published {@code duplicates} times.
 *
 * <p>Nothing is dropped: a failed publish keeps every announcement for the next attempt, so a
 * Pub/Sub emulator that is down for a while delays notifications instead of losing them. Not
 * thread-safe, except the counters, which progress displays read from any thread.
 */
final class AnnouncementQueue {
  private static final Logger LOG = LoggerFactory.getLogger(LocalBucketNotifier.class);

  private final NotificationPublisher publisher;
  private final int duplicates;
  private final List<Announcement> waiting = new ArrayList<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final AtomicLong finalizes = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private boolean failing;

  AnnouncementQueue(NotificationPublisher publisher, int duplicates) {
    this.publisher = publisher;
    this.duplicates = duplicates;
  }

  void add(Announcement announcement) {
    waiting.add(announcement);
    waitingCount.set(waiting.size());
  }

  /** Publishes everything waiting, or keeps all of it for the next call if that fails. */
  void publish() {
    if (waiting.isEmpty()) {
      return;
    }
    List<PubsubMessage> copies = new ArrayList<>(waiting.size() * duplicates);
    for (Announcement announcement : waiting) {
      for (int i = 0; i < duplicates; i++) {
        copies.add(announcement.message());
      }
    }
    try {
      publisher.publish(Collections.unmodifiableList(copies));
    } catch (IOException | RuntimeException e) {
      // Once per outage: the retry runs every scan, and a line per scan would bury everything.
      if (!failing) {
        LOG.warn(
            "Could not publish {} notification(s); retrying on every scan until it works",
            waiting.size(),
            e);
        failing = true;
      }
      return;
    }
    if (failing) {
      LOG.info("Publishing works again");
      failing = false;
    }
    String copiesNote = duplicates > 1 ? " x" + duplicates : "";
    for (Announcement announcement : waiting) {
      (announcement.isFinalize() ? finalizes : deletes).incrementAndGet();
      LOG.info(
          "Published {} {}{}{}",
          announcement.eventType(),
          announcement.object(),
          announcement.detail(),
          copiesNote);
    }
    messages.addAndGet(copies.size());
    waiting.clear();
    waitingCount.set(0);
  }

  int waiting() {
    return waitingCount.get();
  }

  long finalizes() {
    return finalizes.get();
  }

  long deletes() {
    return deletes.get();
  }

  long messages() {
    return messages.get();
  }
}
