package dev.gcsrewrite.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.SubscriptionPath;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a replay reads dead letters: the dead-letter subscription or an archive.
 *
 * <ul>
 *   <li>A subscription's messages are acknowledged, held or released; it may answer empty while it
 *       still holds messages.
 *   <li>An archive's files are read in name order and never changed; an empty read is its end, and
 *       a file that cannot be read is noted in {@link #problems} and skipped.
 * </ul>
 */
public final class DeadLetterSource {
  /** Longest hold Pub/Sub allows on a pulled message. */
  private static final int MAX_ACK_DEADLINE_SECONDS = 600;

  /** Most ack IDs sent in one request, well within Pub/Sub's 512 kB request limit. */
  private static final int ACK_IDS_PER_REQUEST = 500;

  private final @Nullable PubsubClient pubsub;
  private final @Nullable SubscriptionPath subscription;
  private final @Nullable Iterator<ResourceId> files;
  private final String description;
  private final List<String> problems = new ArrayList<>();

  private DeadLetterSource(
      @Nullable PubsubClient pubsub,
      @Nullable SubscriptionPath subscription,
      @Nullable Iterator<ResourceId> files,
      String description) {
    this.pubsub = pubsub;
    this.subscription = subscription;
    this.files = files;
    this.description = description;
  }

  /** The messages of {@code subscription}, {@code projects/P/subscriptions/S}. */
  public static DeadLetterSource subscription(PubsubClient pubsub, String subscription) {
    SubscriptionPath path = PubsubClient.subscriptionPathFromPath(subscription);
    return new DeadLetterSource(pubsub, path, null, path.getPath());
  }

  /** The files of {@code archive}, as listed now. */
  public static DeadLetterSource archive(DeadLetterArchive archive) throws IOException {
    return new DeadLetterSource(null, null, archive.files().iterator(), "archive " + archive);
  }

  /** Up to {@code max} dead letters; an empty list when none is available now. */
  List<IncomingMessage> pull(int max) throws IOException {
    if (files == null) {
      return pubsub.pull(System.currentTimeMillis(), subscription, max, true);
    }
    List<IncomingMessage> pulled = new ArrayList<>();
    while (pulled.size() < max && files.hasNext()) {
      ResourceId file = files.next();
      try {
        pulled.add(DeadLetterArchive.read(file));
      } catch (IOException e) {
        problems.add(file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return pulled;
  }

  /** Whether an empty pull means the end. */
  public boolean finite() {
    return files != null;
  }

  /** Takes these off the subscription for good. */
  void acknowledge(List<IncomingMessage> deadLetters) throws IOException {
    for (List<String> ackIds : ackIds(deadLetters)) {
      pubsub.acknowledge(subscription, ackIds);
    }
  }

  /** Keeps these from being delivered again while the replay runs. */
  void hold(List<IncomingMessage> deadLetters) throws IOException {
    for (List<String> ackIds : ackIds(deadLetters)) {
      pubsub.modifyAckDeadline(subscription, ackIds, MAX_ACK_DEADLINE_SECONDS);
    }
  }

  /** Hands these back to the subscription, available at once to the next reader. */
  void release(List<IncomingMessage> deadLetters) throws IOException {
    for (List<String> ackIds : ackIds(deadLetters)) {
      pubsub.modifyAckDeadline(subscription, ackIds, 0);
    }
  }

  /**
   * Archived files that could not be read (so were neither counted nor replayed), one line each.
   */
  public List<String> problems() {
    return problems;
  }

  @Override
  public String toString() {
    return description;
  }

  /** The ack IDs in requests Pub/Sub takes; none for an archive. */
  private List<List<String>> ackIds(List<IncomingMessage> deadLetters) {
    List<List<String>> requests = new ArrayList<>();
    if (subscription != null) {
      for (int i = 0; i < deadLetters.size(); i += ACK_IDS_PER_REQUEST) {
        requests.add(
            deadLetters.subList(i, Math.min(deadLetters.size(), i + ACK_IDS_PER_REQUEST)).stream()
                .map(IncomingMessage::ackId)
                .toList());
      }
    }
    return requests;
  }
}
