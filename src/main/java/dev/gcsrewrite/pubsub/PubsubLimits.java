package dev.gcsrewrite.pubsub;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Pub/Sub resource limits that every message we publish must respect.
 *
 * <p>Beam's Pub/Sub writer rejects a message that breaks them by failing the bundle: in a streaming
 * job, a retry forever (or the end of the job, on a runner that does not retry bundles). So the
 * pipeline checks its own messages with {@link #problem} first and shapes them to fit. It checks:
 *
 * <ul>
 *   <li>what Beam's {@code PreparePubsubWriteDoFn} checks: a payload or an attribute, at most 100
 *       attributes, keys of 1 to 256 UTF-8 bytes, values of at most 1024, the message's size;
 *   <li>what the service itself refuses: text that is not valid UTF-8 (an unpaired surrogate).
 * </ul>
 *
 * Figures from https://cloud.google.com/pubsub/quotas#resource_limits.
 */
public final class PubsubLimits {
  /** Most attributes one message may carry. */
  public static final int MAX_ATTRIBUTES = 100;

  /** Longest attribute key, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_KEY_BYTES = 256;

  /** Longest attribute value, in UTF-8 bytes. */
  public static final int MAX_ATTRIBUTE_VALUE_BYTES = 1024;

  /**
   * Largest message we publish, as {@link #messageBytes} counts it: three quarters of 10 MB,
   * because the JSON client base64-encodes data (Beam's streaming writer allows 10,000,000).
   */
  public static final int MAX_MESSAGE_BYTES = ((10 * 1000 * 1000) / 4) * 3;

  private static final int MAX_MESSAGES_PER_REQUEST = 1000;
  private static final int ATTRIBUTE_FRAMING_BYTES = 6;
  private static final String ELLIPSIS = "\u2026";

  private PubsubLimits() {}

  /** Why a message of {@code payload} and {@code attributes} cannot be published, or null. */
  public static @Nullable String problem(byte[] payload, @Nullable Map<String, String> attributes) {
    Map<String, String> all = attributes == null ? Map.of() : attributes;
    if (payload.length == 0 && all.isEmpty()) {
      return "a message needs a payload or at least one attribute";
    }
    if (all.size() > MAX_ATTRIBUTES) {
      return all.size() + " attributes; the limit is " + MAX_ATTRIBUTES;
    }
    for (Map.Entry<String, String> attribute : all.entrySet()) {
      String key = attribute.getKey();
      String value = attribute.getValue();
      if (key == null || key.isEmpty()) {
        return "an attribute has an empty key";
      }
      String shown = "'" + truncateUtf8(validUtf16(key), 64) + "'";
      if (value == null) {
        return "attribute " + shown + " has no value";
      } else if (!isValidUtf16(key) || !isValidUtf16(value)) {
        return "attribute " + shown + " is not valid Unicode (unpaired surrogate)";
      } else if (utf8Length(key) > MAX_ATTRIBUTE_KEY_BYTES) {
        return tooLarge("attribute key " + shown, utf8Length(key), MAX_ATTRIBUTE_KEY_BYTES);
      } else if (utf8Length(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
        return tooLarge("attribute " + shown, utf8Length(value), MAX_ATTRIBUTE_VALUE_BYTES);
      }
    }
    long total = messageBytes(payload.length, all);
    return total > MAX_MESSAGE_BYTES ? tooLarge("the message", total, MAX_MESSAGE_BYTES) : null;
  }

  /** Size of a message as Beam's writer counts it: 6 bytes of framing per attribute. */
  public static long messageBytes(int payloadBytes, Map<String, String> attributes) {
    return payloadBytes
        + attributes.entrySet().stream()
            .mapToLong(
                a -> ATTRIBUTE_FRAMING_BYTES + utf8Length(a.getKey()) + utf8Length(a.getValue()))
            .sum();
  }

  /**
   * {@code items} in order, split into publish requests of at most 1,000 messages and {@link
   * #MAX_MESSAGE_BYTES} (10 MB once base64-encoded); a message over that goes alone.
   */
  public static <T> List<List<T>> requests(List<T> items, Function<T, PubsubMessage> message) {
    List<List<T>> requests = new ArrayList<>();
    long bytes = 0;
    for (T item : items) {
      PubsubMessage m = message.apply(item);
      Map<String, String> attributes = m.getAttributeMap();
      long size = messageBytes(m.getPayload().length, attributes == null ? Map.of() : attributes);
      List<T> last = requests.isEmpty() ? null : requests.get(requests.size() - 1);
      if (last == null
          || last.size() == MAX_MESSAGES_PER_REQUEST
          || bytes + size > MAX_MESSAGE_BYTES) {
        last = new ArrayList<>();
        requests.add(last);
        bytes = 0;
      }
      last.add(item);
      bytes += size;
    }
    return requests;
  }

  /**
   * {@code value} made publishable as an attribute value: unpaired surrogates become U+FFFD, and it
   * is cut to {@link #MAX_ATTRIBUTE_VALUE_BYTES}.
   */
  public static String attributeValue(String value) {
    return truncateUtf8(validUtf16(value), MAX_ATTRIBUTE_VALUE_BYTES);
  }

  /** {@code value} cut to {@code maxBytes} of UTF-8 between characters, ending in an ellipsis. */
  public static String truncateUtf8(String value, int maxBytes) {
    if (utf8Length(value) <= maxBytes) {
      return value;
    }
    // The encoder stops before the first character that does not fit whole.
    CharBuffer in = CharBuffer.wrap(value);
    ByteBuffer room = ByteBuffer.allocate(Math.max(0, maxBytes - utf8Length(ELLIPSIS)));
    StandardCharsets.UTF_8
        .newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .encode(in, room, true);
    return value.substring(0, in.position()) + ELLIPSIS;
  }

  /** Number of bytes {@code value} takes in UTF-8. */
  public static int utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Whether every surrogate in {@code value} is half of a pair (so it has a UTF-8 form). */
  public static boolean isValidUtf16(String value) {
    return value.codePoints().noneMatch(PubsubLimits::isSurrogate);
  }

  /** {@code value} with every unpaired surrogate replaced by U+FFFD. */
  public static String validUtf16(String value) {
    if (isValidUtf16(value)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    value.codePoints().map(c -> isSurrogate(c) ? 0xFFFD : c).forEach(out::appendCodePoint);
    return out.toString();
  }

  /** Whether a code point from {@link String#codePoints} is an unpaired surrogate. */
  private static boolean isSurrogate(int codePoint) {
    return Character.getType(codePoint) == Character.SURROGATE;
  }

  private static String tooLarge(String what, long bytes, int limit) {
    return what + " is " + bytes + " bytes; the limit is " + limit;
  }
}
