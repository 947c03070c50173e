package dev.gcsrewrite.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Pub/Sub resource limits that every message we publish must respect.
 *
 * <p>Beam's Pub/Sub writer rejects a message that breaks them by failing the bundle, which in a
 * streaming job means retrying forever; so the pipeline shapes its own messages to fit first.
 * Figures from https://cloud.google.com/pubsub/quotas#resource_limits and Beam's {@code
 * PreparePubsubWriteDoFn}.
 */
public final class PubsubLimits {
  /** Most attributes one message may carry. */
  public static final int MAX_ATTRIBUTES = 100;

  /** Longest attribute key, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_KEY_BYTES = 256;

  /** Longest attribute value, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_VALUE_BYTES = 1024;

  /**
   * Largest message Beam's writer accepts by default (payload plus attributes plus 6 bytes of
   * framing per attribute): three quarters of 10 MB, because the JSON client base64-encodes data.
   */
  public static final int MAX_MESSAGE_BYTES = ((10 * 1000 * 1000) / 4) * 3;

  private static final int ATTRIBUTE_FRAMING_BYTES = 6;
  private static final String ELLIPSIS = "\u2026";

  private PubsubLimits() {}

  /** Size of a message as Beam's writer counts it against {@link #MAX_MESSAGE_BYTES}. */
  public static long messageBytes(int payloadBytes, Map<String, String> attributes) {
    long total = payloadBytes;
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      total +=
          ATTRIBUTE_FRAMING_BYTES
              + utf8Length(attribute.getKey())
              + utf8Length(attribute.getValue());
    }
    return total;
  }

  /**
   * Cuts {@code value} so that it fits in {@code maxBytes} of UTF-8, marking the cut with an
   * ellipsis, and never splitting a character.
   */
  public static String truncateUtf8(String value, int maxBytes) {
    if (utf8Length(value) <= maxBytes) {
      return value;
    }
    int budget = maxBytes - utf8Length(ELLIPSIS);
    int used = 0;
    int end = 0;
    while (end < value.length()) {
      int codePoint = value.codePointAt(end);
      int width = utf8Length(new String(Character.toChars(codePoint)));
      if (used + width > budget) {
        break;
      }
      used += width;
      end += Character.charCount(codePoint);
    }
    return value.substring(0, end) + ELLIPSIS;
  }

  /** Number of bytes {@code value} takes in UTF-8. */
  public static int utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }
}
