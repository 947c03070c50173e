package dev.gcsrewrite.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Pub/Sub resource limits that every message we publish must respect.
 *
 * <p>Beam's Pub/Sub writer rejects a message that breaks them by failing the bundle, which in a
 * streaming job means retrying forever (or the end of the job, on a runner that does not retry
 * bundles); so the pipeline checks its own messages with {@link #problem} first and shapes them to
 * fit. The checks are those of Beam's {@code PreparePubsubWriteDoFn} plus what the service itself
 * refuses (text that is not valid UTF-8). Figures from
 * https://cloud.google.com/pubsub/quotas#resource_limits.
 */
public final class PubsubLimits {
  /** Most attributes one message may carry. */
  public static final int MAX_ATTRIBUTES = 100;

  /** Longest attribute key, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_KEY_BYTES = 256;

  /** Longest attribute value, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_VALUE_BYTES = 1024;

  /**
   * Largest message we publish (payload plus attributes plus 6 bytes of framing per attribute):
   * three quarters of 10 MB, because the JSON client base64-encodes data; Beam's streaming writer
   * allows 10,000,000.
   */
  public static final int MAX_MESSAGE_BYTES = ((10 * 1000 * 1000) / 4) * 3;

  private static final int ATTRIBUTE_FRAMING_BYTES = 6;
  private static final String ELLIPSIS = "\u2026";

  private PubsubLimits() {}

  /**
   * Why a message with {@code payload} and {@code attributes} cannot be published, or null when it
   * can.
   */
  public static @Nullable String problem(byte[] payload, @Nullable Map<String, String> attributes) {
    int attributeCount = attributes == null ? 0 : attributes.size();
    if (payload.length == 0 && attributeCount == 0) {
      return "a message needs a payload or at least one attribute";
    }
    if (attributeCount > MAX_ATTRIBUTES) {
      return attributeCount + " attributes; the limit is " + MAX_ATTRIBUTES;
    }
    if (attributes != null) {
      for (Map.Entry<String, String> attribute : attributes.entrySet()) {
        String key = attribute.getKey();
        String value = attribute.getValue();
        if (key == null || key.isEmpty()) {
          return "an attribute has an empty key";
        }
        if (value == null) {
          return "attribute " + shown(key) + " has no value";
        }
        if (!isValidUtf16(key) || !isValidUtf16(value)) {
          return "attribute " + shown(key) + " is not valid Unicode (unpaired surrogate)";
        }
        if (utf8Length(key) > MAX_ATTRIBUTE_KEY_BYTES) {
          return "attribute key "
              + shown(key)
              + " is "
              + utf8Length(key)
              + " bytes; the limit is "
              + MAX_ATTRIBUTE_KEY_BYTES;
        }
        if (utf8Length(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
          return "attribute "
              + shown(key)
              + " is "
              + utf8Length(value)
              + " bytes; the limit is "
              + MAX_ATTRIBUTE_VALUE_BYTES;
        }
      }
    }
    long total = messageBytes(payload.length, attributes == null ? Map.of() : attributes);
    if (total > MAX_MESSAGE_BYTES) {
      return "the message is " + total + " bytes; the limit is " + MAX_MESSAGE_BYTES;
    }
    return null;
  }

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
   * {@code value} made publishable as an attribute value: unpaired surrogates become U+FFFD, and it
   * is cut to {@link #MAX_ATTRIBUTE_VALUE_BYTES}.
   */
  public static String attributeValue(String value) {
    return truncateUtf8(validUtf16(value), MAX_ATTRIBUTE_VALUE_BYTES);
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

  /** Whether every surrogate in {@code value} is half of a pair (so it has a UTF-8 form). */
  public static boolean isValidUtf16(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code value} with every unpaired surrogate replaced by U+FFFD. */
  public static String validUtf16(String value) {
    if (isValidUtf16(value)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        out.append(c).append(value.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append('\uFFFD');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String shown(String key) {
    return "'" + truncateUtf8(validUtf16(key), 64) + "'";
  }
}
