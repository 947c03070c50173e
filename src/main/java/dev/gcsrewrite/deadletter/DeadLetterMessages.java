package dev.gcsrewrite.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
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
  public static final List<String> OWN_ATTRIBUTES =
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

  /** Room left for the envelope's own JSON framing and the truncation markers. */
  private static final int FRAMING_BYTES = 512;

  private DeadLetterMessages() {}

  /** The message to publish for {@code deadLetter}; always within Pub/Sub's limits. */
  public static PubsubMessage toPubsubMessage(DeadLetter deadLetter) {
    OriginalMessage original = deadLetter.original();
    Map<String, String> own = ownAttributes(deadLetter);

    Map<String, String> inline = new TreeMap<>(original.attributes());
    OWN_ATTRIBUTES.forEach(inline::remove);
    inline.putAll(own);
    boolean idFits = own.get(ORIGINAL_MESSAGE_ID).equals(original.messageId());
    if (idFits && PubsubLimits.problem(original.payload(), inline) == null) {
      return new PubsubMessage(original.payload(), inline);
    }
    PubsubMessage envelope = envelope(original, own);
    if (PubsubLimits.problem(envelope.getPayload(), envelope.getAttributeMap()) == null) {
      return envelope;
    }
    return minimal(original, own);
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
      Iterator<Map.Entry<String, JsonNode>> fields = body.get("attributes").fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        kept.put(field.getKey(), field.getValue().textValue());
      }
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

  private static Map<String, String> ownAttributes(DeadLetter deadLetter) {
    Map<String, String> own = new LinkedHashMap<>();
    own.put(ERROR_STAGE, PubsubLimits.attributeValue(deadLetter.errorStage()));
    own.put(ERROR_TYPE, PubsubLimits.attributeValue(deadLetter.errorType()));
    own.put(ERROR_MESSAGE, PubsubLimits.attributeValue(deadLetter.errorMessage()));
    own.put(ORIGINAL_MESSAGE_ID, PubsubLimits.attributeValue(deadLetter.original().messageId()));
    own.put(FAILED_AT, deadLetter.failedAt().toString());
    return own;
  }

  /** The original in the payload, cut (data first, then attributes) only if it cannot fit. */
  private static PubsubMessage envelope(OriginalMessage original, Map<String, String> own) {
    Map<String, String> attributes = new LinkedHashMap<>(own);
    attributes.put(DEAD_LETTER_FORMAT, ENVELOPE);
    long budget =
        PubsubLimits.MAX_MESSAGE_BYTES
            - PubsubLimits.messageBytes(0, attributes)
            - FRAMING_BYTES
            - 3L * 64; // the three markers below, should they be needed

    // Each attribute's escaped JSON size, so that dropping some needs no re-serialising.
    List<Map.Entry<String, String>> entries = new ArrayList<>(original.attributes().entrySet());
    long attributesBytes = 0;
    long[] sizes = new long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      sizes[i] = jsonBytes(entries.get(i).getKey()) + jsonBytes(entries.get(i).getValue()) + 2;
      attributesBytes += sizes[i];
    }
    int kept = entries.size();
    long idBytes = jsonBytes(original.messageId());
    while (kept > 0 && idBytes + attributesBytes > budget) {
      attributesBytes -= sizes[--kept];
    }
    long dataRoom = Math.max(0, budget - idBytes - attributesBytes);
    int dataBytes = (int) Math.min(original.payload().length, (dataRoom / 4) * 3);

    ObjectNode body = JSON.createObjectNode();
    body.put(DEAD_LETTER_FORMAT, ENVELOPE);
    body.put("messageId", original.messageId());
    ObjectNode originalAttributes = body.putObject("attributes");
    for (int i = 0; i < kept; i++) {
      originalAttributes.put(entries.get(i).getKey(), entries.get(i).getValue());
    }
    body.put(
        "data",
        Base64.getEncoder()
            .encodeToString(
                dataBytes == original.payload().length
                    ? original.payload()
                    : Arrays.copyOf(original.payload(), dataBytes)));
    if (dataBytes < original.payload().length) {
      attributes.put(PAYLOAD_TRUNCATED, "true");
      attributes.put(ORIGINAL_PAYLOAD_BYTES, Integer.toString(original.payload().length));
    }
    if (kept < entries.size()) {
      attributes.put(DROPPED_ATTRIBUTES, Integer.toString(entries.size() - kept));
    }
    return new PubsubMessage(json(body), attributes);
  }

  /** Our attributes and the original's message ID only: fits whatever the original was. */
  private static PubsubMessage minimal(OriginalMessage original, Map<String, String> own) {
    Map<String, String> attributes = new LinkedHashMap<>(own);
    attributes.put(DEAD_LETTER_FORMAT, ENVELOPE);
    attributes.put(PAYLOAD_TRUNCATED, "true");
    attributes.put(ORIGINAL_PAYLOAD_BYTES, Integer.toString(original.payload().length));
    attributes.put(DROPPED_ATTRIBUTES, Integer.toString(original.attributes().size()));
    ObjectNode body = JSON.createObjectNode();
    body.put(DEAD_LETTER_FORMAT, ENVELOPE);
    body.put("messageId", PubsubLimits.attributeValue(original.messageId()));
    body.putObject("attributes");
    body.put("data", "");
    return new PubsubMessage(json(body), attributes);
  }

  private static long jsonBytes(@Nullable String value) {
    try {
      return JSON.writeValueAsBytes(value).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot measure a JSON string", e);
    }
  }

  private static byte[] json(ObjectNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a dead-letter envelope", e);
    }
  }
}
