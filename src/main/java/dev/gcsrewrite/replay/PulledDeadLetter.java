package dev.gcsrewrite.replay;

import java.time.Instant;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * A dead letter as a replay reads it: the message on the dead-letter topic (not the original it
 * carries), its Pub/Sub identity, and the handle to acknowledge it by.
 *
 * @param messageId the dead letter's own Pub/Sub message ID (stable across redeliveries)
 * @param publishTime when the dead letter was published
 * @param payload the dead letter's payload
 * @param attributes the dead letter's attributes
 * @param ackId the handle to acknowledge it by, empty when read from an archive
 */
public record PulledDeadLetter(
    String messageId,
    Instant publishTime,
    byte[] payload,
    Map<String, String> attributes,
    String ackId) {

  public PulledDeadLetter {
    attributes = Map.copyOf(attributes);
  }

  /** The dead letter as a Beam message, for {@code DeadLetterMessages.originalOf}. */
  public PubsubMessage message() {
    return new PubsubMessage(payload, attributes, messageId);
  }

  /** The attribute, or {@code "?"} when the dead letter lacks it: for printing. */
  public String attribute(String key) {
    return attributes.getOrDefault(key, "?");
  }
}
