package dev.gcsrewrite.pubsub;

import java.io.Serializable;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.values.PCollection;

/**
 * Where the pipeline's outgoing messages go: Pub/Sub topics in production, something a test can
 * observe otherwise. Keeping it a seam lets every publishing step be tested without a Pub/Sub
 * service while the production graph stays exactly the one that is deployed.
 */
@FunctionalInterface
public interface TopicWriter extends Serializable {

  /**
   * Publishes {@code messages} to {@code topic} ({@code projects/p/topics/t}) as a step named
   * {@code Publish}, and returns them so that the caller (and a test) can still see what was
   * published.
   */
  PCollection<PubsubMessage> publish(PCollection<PubsubMessage> messages, String topic);

  /**
   * Publishes {@code messages} to {@code topic} as a step named {@code Publish} and returns each
   * message only once Pub/Sub has accepted it, so that a later step may record that it was
   * published. A writer that publishes at once (a test's) may return what {@link #publish} does.
   */
  default PCollection<PubsubMessage> publishConfirmed(
      PCollection<PubsubMessage> messages, String topic) {
    return publish(messages, topic);
  }

  /** Publishes with Beam's Pub/Sub writer (the service's native sink on Dataflow). */
  static TopicWriter pubsub() {
    return new PubsubTopicWriter();
  }
}
