package dev.gcsrewrite.deadletter;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Pub/Sub message exactly as it arrived: payload bytes, attributes and message ID.
 *
 * <p>It travels with every notification so that whichever stage gives up on it can dead-letter the
 * original untouched, and an operator can republish a fixed message as it was.
 *
 * @param payload the message data, never null (empty when the message had none)
 * @param attributes the message attributes, sorted by key so that encoding is deterministic
 * @param messageId the Pub/Sub message ID, empty when unknown
 */
public record OriginalMessage(
    byte[] payload, SortedMap<String, String> attributes, String messageId) {

  public OriginalMessage {
    payload = payload == null ? new byte[0] : payload;
    attributes =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(attributes == null ? Map.of() : attributes));
    messageId = messageId == null ? "" : messageId;
  }

  /** Captures a message as read from Pub/Sub; the payload array is shared, not copied. */
  public static OriginalMessage of(PubsubMessage message) {
    @Nullable Map<String, String> attributes = message.getAttributeMap();
    return new OriginalMessage(
        message.getPayload(),
        attributes == null ? null : new TreeMap<>(attributes),
        message.getMessageId());
  }

  /** Returns the attribute, or null when the message does not carry it. */
  public @Nullable String attribute(String key) {
    return attributes.get(key);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof OriginalMessage that
        && Arrays.equals(payload, that.payload)
        && attributes.equals(that.attributes)
        && messageId.equals(that.messageId);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(payload) + attributes.hashCode()) + messageId.hashCode();
  }

  @Override
  public String toString() {
    return String.format(
        "OriginalMessage{messageId=%s, attributes=%s, payloadBytes=%d}",
        messageId, attributes, payload.length);
  }
}
