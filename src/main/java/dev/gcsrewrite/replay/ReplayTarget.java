package dev.gcsrewrite.replay;

import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.TopicPath;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/** The topic replayed originals are published to: the pipeline's notifications topic. */
public final class ReplayTarget {
  private final PubsubConnection pubsub;
  private final TopicPath topic;

  public ReplayTarget(PubsubConnection pubsub, String topic) {
    this.pubsub = pubsub;
    this.topic = PubsubClient.topicPathFromPath(topic);
  }

  /**
   * Publishes {@code messages} in one request; returns once Pub/Sub has taken all of them.
   *
   * @throws IOException if Pub/Sub refused the request or took fewer than all
   */
  void publish(List<PubsubMessage> messages) throws IOException {
    int taken = pubsub.publish(topic, messages);
    if (taken != messages.size()) {
      throw new IOException(
          "Pub/Sub took " + taken + " of " + messages.size() + " messages for " + topic.getPath());
    }
  }

  public String describe() {
    return topic.getPath();
  }
}
