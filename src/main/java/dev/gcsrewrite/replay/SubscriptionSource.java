package dev.gcsrewrite.replay;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.SubscriptionPath;

/**
 * Dead letters pulled from a Pub/Sub subscription (the dead-letter topic's). What is not
 * acknowledged stays on the subscription: held while the replay runs (so it is not pulled again),
 * then released for the next reader.
 */
public final class SubscriptionSource implements DeadLetterSource {
  private final PubsubConnection pubsub;
  private final SubscriptionPath subscription;

  public SubscriptionSource(PubsubConnection pubsub, String subscription) {
    this.pubsub = pubsub;
    this.subscription = PubsubClient.subscriptionPathFromPath(subscription);
  }

  @Override
  public List<PulledDeadLetter> pull(int max) throws IOException {
    List<PulledDeadLetter> pulled = new ArrayList<>();
    for (IncomingMessage incoming : pubsub.pull(subscription, max)) {
      pulled.add(
          new PulledDeadLetter(
              // Beam's record ID is the Pub/Sub message ID when no ID attribute is set.
              incoming.recordId(),
              Instant.ofEpochMilli(incoming.timestampMsSinceEpoch()),
              incoming.message().getData().toByteArray(),
              incoming.message().getAttributesMap(),
              incoming.ackId()));
    }
    return pulled;
  }

  @Override
  public void acknowledge(List<PulledDeadLetter> deadLetters) throws IOException {
    pubsub.acknowledge(subscription, ackIds(deadLetters));
  }

  @Override
  public void hold(List<PulledDeadLetter> deadLetters) throws IOException {
    pubsub.modifyAckDeadline(
        subscription, ackIds(deadLetters), PubsubConnection.MAX_ACK_DEADLINE_SECONDS);
  }

  @Override
  public void release(List<PulledDeadLetter> deadLetters) throws IOException {
    pubsub.modifyAckDeadline(subscription, ackIds(deadLetters), 0);
  }

  @Override
  public String describe() {
    return subscription.getPath();
  }

  @Override
  public void close() {}

  private static List<String> ackIds(List<PulledDeadLetter> deadLetters) {
    return deadLetters.stream().map(PulledDeadLetter::ackId).toList();
  }
}
