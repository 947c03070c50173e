package dev.gcsrewrite.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.SubscriptionPath;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where a replay reads dead letters: the dead-letter subscription or an archive.
 *
 * <ul>
 *   <li>A subscription's dead letters are acknowledged, held or released; an empty pull may only
 *       mean that none is available now.
 *   <li>An archive's files are read in name order and never changed; an empty pull is its end, and
 *       a file that cannot be read is skipped and listed in {@link #unreadable}.
 * </ul>
 */
final class DeadLetterSource {
  /** Longest hold Pub/Sub allows on a pulled message. */
  private static final int MAX_ACK_DEADLINE_SECONDS = 600;

  /** Ack IDs per request, well within Pub/Sub's 512 kB request limit. */
  private static final int ACK_IDS_PER_REQUEST = 500;

  final List<String> unreadable = new ArrayList<>();
  private final PubsubClient pubsub;
  private final @Nullable SubscriptionPath subscription;
  private final @Nullable Iterator<ResourceId> files;

  /** Reads the request's subscription, or its archive (listed now). */
  DeadLetterSource(ReplayRequest request, PubsubClient pubsub) throws IOException {
    String from = request.from();
    this.pubsub = pubsub;
    this.subscription =
        request.fromSubscription() ? PubsubClient.subscriptionPathFromPath(from) : null;
    this.files = request.fromSubscription() ? null : new DeadLetterArchive(from).files().iterator();
  }

  /** Up to {@code max} dead letters; none when none is available now. */
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
        unreadable.add(file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return pulled;
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

  /** The ack IDs in requests Pub/Sub takes; none for an archive. */
  private List<List<String>> ackIds(List<IncomingMessage> deadLetters) {
    List<String> ids = deadLetters.stream().map(IncomingMessage::ackId).toList();
    return IntStream.iterate(
            0, i -> subscription != null && i < ids.size(), i -> i + ACK_IDS_PER_REQUEST)
        .mapToObj(i -> ids.subList(i, Math.min(ids.size(), i + ACK_IDS_PER_REQUEST)))
        .toList();
  }
}
