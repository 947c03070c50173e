package dev.gcsrewrite.deadletter;

import static dev.gcsrewrite.pubsub.PubsubLimits.MAX_ATTRIBUTES;
import static dev.gcsrewrite.pubsub.PubsubLimits.MAX_ATTRIBUTE_VALUE_BYTES;
import static dev.gcsrewrite.pubsub.PubsubLimits.MAX_MESSAGE_BYTES;

import dev.gcsrewrite.pubsub.PubsubLimits;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * Turns a {@link DeadLetter} into the message published on the dead-letter topic.
 *
 * <p>The original payload and attributes are kept untouched and the reason is added as attributes,
 * so the message can be read, fixed and republished as it was. Only when the result would break
 * Pub/Sub's limits (a message that was already near them) is the payload cut or are original
 * attributes dropped, and the message then says so in attributes of its own.
 */
public final class DeadLetterMessages {
  public static final String ERROR_STAGE = "errorStage";
  public static final String ERROR_TYPE = "errorType";
  public static final String ERROR_MESSAGE = "errorMessage";
  public static final String ORIGINAL_MESSAGE_ID = "originalMessageId";
  public static final String FAILED_AT = "failedAt";
  public static final String PAYLOAD_TRUNCATED = "payloadTruncated";
  public static final String ORIGINAL_PAYLOAD_BYTES = "originalPayloadBytes";
  public static final String DROPPED_ATTRIBUTES = "droppedAttributes";

  /** Every attribute this class may add; originals with these keys are replaced. */
  public static final List<String> OWN_ATTRIBUTES =
      List.of(
          ERROR_STAGE,
          ERROR_TYPE,
          ERROR_MESSAGE,
          ORIGINAL_MESSAGE_ID,
          FAILED_AT,
          PAYLOAD_TRUNCATED,
          ORIGINAL_PAYLOAD_BYTES,
          DROPPED_ATTRIBUTES);

  private DeadLetterMessages() {}

  public static PubsubMessage toPubsubMessage(DeadLetter deadLetter) {
    OriginalMessage original = deadLetter.original();
    Map<String, String> own = new LinkedHashMap<>();
    own.put(ERROR_STAGE, fit(deadLetter.errorStage()));
    own.put(ERROR_TYPE, fit(deadLetter.errorType()));
    own.put(ERROR_MESSAGE, fit(deadLetter.errorMessage()));
    own.put(ORIGINAL_MESSAGE_ID, fit(original.messageId()));
    own.put(FAILED_AT, deadLetter.failedAt().toString());

    TreeMap<String, String> kept = new TreeMap<>(original.attributes());
    OWN_ATTRIBUTES.forEach(kept::remove);
    // Leave room for the markers below, which are added only when needed.
    int room = MAX_ATTRIBUTES - own.size() - 3;
    int dropped = 0;
    while (kept.size() > room) {
      kept.pollLastEntry();
      dropped++;
    }
    if (dropped > 0) {
      own.put(DROPPED_ATTRIBUTES, Integer.toString(dropped));
    }

    Map<String, String> attributes = new TreeMap<>(kept);
    attributes.putAll(own);
    byte[] payload = original.payload();
    // 64 bytes covers the two truncation markers and their framing.
    long budget = MAX_MESSAGE_BYTES - PubsubLimits.messageBytes(0, attributes) - 64;
    if (payload.length > budget) {
      attributes.put(PAYLOAD_TRUNCATED, "true");
      attributes.put(ORIGINAL_PAYLOAD_BYTES, Integer.toString(payload.length));
      payload = Arrays.copyOf(payload, (int) Math.max(0, budget));
    }
    return new PubsubMessage(payload, attributes);
  }

  private static String fit(String value) {
    return PubsubLimits.truncateUtf8(value, MAX_ATTRIBUTE_VALUE_BYTES);
  }
}
