package dev.gcsrewrite.pubsub;

import java.io.Serializable;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.POutput;

/**
 * Where the pipeline's outgoing messages go: Pub/Sub topics in production, something a test can
 * observe otherwise. Keeping it a seam lets every publishing step be tested without a Pub/Sub
 * service while the production graph stays exactly the one that is deployed.
 */
@FunctionalInterface
public interface TopicWriter extends Serializable {

  /** The transform that publishes messages to {@code topic} ({@code projects/p/topics/t}). */
  PTransform<PCollection<PubsubMessage>, ? extends POutput> to(String topic);

  /**
   * Publishes {@code messages} to {@code topic} as a step named {@code Publish}, and returns them
   * so that the caller (and a test) can still see what was published.
   */
  default PCollection<PubsubMessage> publish(PCollection<PubsubMessage> messages, String topic) {
    messages.apply("Publish", to(topic));
    return messages;
  }

  /** Publishes with Beam's Pub/Sub writer (the service's native sink on Dataflow). */
  static TopicWriter pubsub() {
    return topic -> PubsubIO.writeMessages().to(topic);
  }
}
