package dev.gcsrewrite.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns a {@link DeadLetter} into the message published on the dead-letter topic, and back.
 *
 * <p>Two forms, so that a dead letter can always be published whatever arrived:
 *
 * <ul>
 *   <li><b>Inline</b> (the usual one): the original payload and attributes untouched, plus the
 *       reason as attributes of our own. A fixed message can be republished as it is, our
 *       attributes aside.
 *   <li><b>Envelope</b>, when the inline form would break a Pub/Sub limit (an original attribute
 *       over 1024 bytes or with an unpaired surrogate, too many attributes, a message near 10 MB):
 *       the reason as attributes, and the original as ASCII JSON in the payload ({@code messageId},
 *       {@code attributes}, {@code data} in base64). Marked {@code deadLetterFormat=envelope}.
 * </ul>
 *
 * Only an original too large for any Pub/Sub message loses something (the end of its payload, then
 * attributes), and the message then says so ({@code payloadTruncated}, {@code
 * originalPayloadBytes}, {@code droppedAttributes}). Whatever the input, the result passes {@link
 * PubsubLimits#problem}: a dead letter never fails its own publish.
 */
public final class DeadLetterMessages {
  public static final String ERROR_STAGE = "errorStage";
  public static final String ERROR_TYPE = "errorType";
  public static final String ERROR_MESSAGE = "errorMessage";
  public static final String ORIGINAL_MESSAGE_ID = "originalMessageId";
  public static final String FAILED_AT = "failedAt";
  public static final String DEAD_LETTER_FORMAT = "deadLetterFormat";
  public static final String PAYLOAD_TRUNCATED = "payloadTruncated";
  public static final String ORIGINAL_PAYLOAD_BYTES = "originalPayloadBytes";
  public static final String DROPPED_ATTRIBUTES = "droppedAttributes";

  /** The value of {@link #DEAD_LETTER_FORMAT} for the envelope form. */
  public static final String ENVELOPE = "envelope";

  /** Every attribute this class may add; originals with these keys are replaced. */
  private static final List<String> OWN_ATTRIBUTES =
      List.of(
          ERROR_STAGE,
          ERROR_TYPE,
          ERROR_MESSAGE,
          ORIGINAL_MESSAGE_ID,
          FAILED_AT,
          DEAD_LETTER_FORMAT,
          PAYLOAD_TRUNCATED,
          ORIGINAL_PAYLOAD_BYTES,
          DROPPED_ATTRIBUTES);

  // ASCII only: unpaired surrogates in an original survive as \\uXXXX escapes.
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  /** Room kept for the envelope's own JSON framing and the three truncation markers. */
  private static final int FRAMING_BYTES = 512 + 3 * 64;

  private DeadLetterMessages() {}

  /** The message to publish for {@code deadLetter}; always within Pub/Sub's limits. */
  public static PubsubMessage toPubsubMessage(DeadLetter deadLetter) {
    OriginalMessage original = deadLetter.original();
    Map<String, String> own = new LinkedHashMap<>();
    own.put(ERROR_STAGE, PubsubLimits.attributeValue(deadLetter.errorStage()));
    own.put(ERROR_TYPE, PubsubLimits.attributeValue(deadLetter.errorType()));
    own.put(ERROR_MESSAGE, PubsubLimits.attributeValue(deadLetter.errorMessage()));
    own.put(ORIGINAL_MESSAGE_ID, PubsubLimits.attributeValue(original.messageId()));
    own.put(FAILED_AT, deadLetter.failedAt().toString());

    Map<String, String> inline = new TreeMap<>(original.attributes());
    OWN_ATTRIBUTES.forEach(inline::remove);
    inline.putAll(own);
    boolean idFits = own.get(ORIGINAL_MESSAGE_ID).equals(original.messageId());
    if (idFits && PubsubLimits.problem(original.payload(), inline) == null) {
      return new PubsubMessage(original.payload(), inline);
    }
    PubsubMessage envelope = envelope(original, own, true);
    boolean fits = PubsubLimits.problem(envelope.getPayload(), envelope.getAttributeMap()) == null;
    return fits ? envelope : envelope(original, own, false);
  }

  /**
   * The original message a dead letter carries, in either form, and whether it is whole (false when
   * a part had to be left out to fit).
   *
   * @throws IllegalArgumentException if {@code message} is an envelope that cannot be read
   */
  public static Recovered originalOf(PubsubMessage message) {
    Map<String, String> attributes =
        message.getAttributeMap() == null ? Map.of() : message.getAttributeMap();
    String messageId = attributes.getOrDefault(ORIGINAL_MESSAGE_ID, "");
    boolean whole =
        !attributes.containsKey(PAYLOAD_TRUNCATED) && !attributes.containsKey(DROPPED_ATTRIBUTES);
    if (!ENVELOPE.equals(attributes.get(DEAD_LETTER_FORMAT))) {
      TreeMap<String, String> kept = new TreeMap<>(attributes);
      OWN_ATTRIBUTES.forEach(kept::remove);
      return new Recovered(new OriginalMessage(message.getPayload(), kept, messageId), whole);
    }
    try {
      JsonNode body = JSON.readTree(message.getPayload());
      TreeMap<String, String> kept = new TreeMap<>();
      body.get("attributes")
          .fields()
          .forEachRemaining(a -> kept.put(a.getKey(), a.getValue().textValue()));
      byte[] data = Base64.getDecoder().decode(body.get("data").textValue());
      return new Recovered(
          new OriginalMessage(data, kept, body.get("messageId").textValue()), whole);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a readable dead-letter envelope: " + e, e);
    }
  }

  /**
   * An original message read back from a dead letter.
   *
   * @param original the message as it arrived (as far as it was kept)
   * @param whole false when part of it was left out to fit Pub/Sub's limits
   */
  public record Recovered(OriginalMessage original, boolean whole) {}

  /**
   * The original as JSON in the payload, cut (data first, then attributes) only where it cannot
   * fit; or, if {@code fit} is false, only its message ID, cut to an attribute value's size.
   */
  private static PubsubMessage envelope(
      OriginalMessage original, Map<String, String> own, boolean fit) {
    Map<String, String> attributes = new LinkedHashMap<>(own);
    attributes.put(DEAD_LETTER_FORMAT, ENVELOPE);
    String messageId =
        fit ? original.messageId() : PubsubLimits.attributeValue(original.messageId());
    long room = PubsubLimits.MAX_MESSAGE_BYTES - PubsubLimits.messageBytes(0, attributes);
    room = fit ? room - FRAMING_BYTES - json(messageId).length : 0;
    ObjectNode body = JSON.createObjectNode();
    body.put(DEAD_LETTER_FORMAT, ENVELOPE);
    body.put("messageId", messageId);
    ObjectNode kept = body.putObject("attributes");
    for (Map.Entry<String, String> attribute : original.attributes().entrySet()) {
      // Measured as escaped JSON, so that keeping it needs no re-serialising.
      long size = json(attribute.getKey()).length + json(attribute.getValue()).length + 2;
      if (size > room) {
        break;
      }
      room -= size;
      kept.put(attribute.getKey(), attribute.getValue());
    }
    byte[] payload = original.payload();
    int dataBytes = (int) Math.min(payload.length, (Math.max(0, room) / 4) * 3);
    body.put("data", Base64.getEncoder().encodeToString(Arrays.copyOf(payload, dataBytes)));
    if (!fit || dataBytes < payload.length) {
      attributes.put(PAYLOAD_TRUNCATED, "true");
      attributes.put(ORIGINAL_PAYLOAD_BYTES, Integer.toString(payload.length));
    }
    if (!fit || kept.size() < original.attributes().size()) {
      attributes.put(
          DROPPED_ATTRIBUTES, Integer.toString(original.attributes().size() - kept.size()));
    }
    return new PubsubMessage(json(body), attributes);
  }

  private static byte[] json(@Nullable Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a dead-letter envelope", e);
    }
  }
}
