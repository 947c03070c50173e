package dev.gcsrewrite.statusservice;

import dev.gcsrewrite.notification.StorageNames;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a request's raw path asks for, checked before anything reaches Redis.
 *
 * <p>The rule that keeps object names unambiguous: every name is <em>one</em> path segment, its
 * slashes written {@code %2F}, as in Cloud Storage's own JSON API ({@code
 * /storage/v1/b/B/o/a%2Fb}). So {@code /v1/objects/b/a%2Fgenerations%2F5} is the object literally
 * named {@code a/generations/5}, and {@code /v1/objects/b/a/generations/5} is generation 5 of
 * object {@code a}. A raw slash anywhere else in an object name is refused with a hint, never
 * guessed at.
 */
sealed interface RequestPath {
  /** The longest raw path accepted: the longest valid lookup (3.3 KiB, every byte escaped) fits. */
  int MAX_RAW_LENGTH = 4096;

  String OBJECTS = "/v1/objects/";

  /** The health check, at two paths: Cloud Run reserves paths ending in "z" for itself. */
  record Health() implements RequestPath {}

  /** An object's latest generation (generation null) or the generation asked for. */
  record Lookup(String bucket, String objectId, @Nullable Long generation) implements RequestPath {}

  /** A path the service does not serve: 404 whatever the method. */
  record Unknown() implements RequestPath {}

  /** Input the service refuses: 400, with {@link #getMessage} as the error's message. */
  final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message);
    }
  }

  /**
   * Reads {@code rawPath}, the path as sent (still percent-encoded).
   *
   * @throws BadRequest for a path too long, bad escapes, or a bucket, object or generation that
   *     could name nothing (the checks of {@link StorageNames}, which the pipeline applies too)
   */
  static RequestPath parse(String rawPath) throws BadRequest {
    if (rawPath.length() > MAX_RAW_LENGTH) {
      throw new BadRequest("the request path is longer than " + MAX_RAW_LENGTH + " characters");
    }
    // The server reads the request line byte by byte, as Latin-1: a raw non-ASCII byte would
    // come as a wrong character, so only escapes may carry it.
    if (!rawPath.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new BadRequest("the request path holds characters that must be percent-encoded");
    }
    if (rawPath.equals("/healthz") || rawPath.equals("/v1/health")) {
      return new Health();
    }
    if (!rawPath.startsWith(OBJECTS)) {
      return new Unknown();
    }
    // -1 keeps trailing empty segments: "/v1/objects/b/" names no object, it is not "b".
    String[] segments = rawPath.substring(OBJECTS.length()).split("/", -1);
    if (segments.length == 2) {
      return new Lookup(bucket(segments[0]), object(segments[1]), null);
    }
    if (segments.length == 4 && segments[2].equals("generations")) {
      return new Lookup(bucket(segments[0]), object(segments[1]), generation(segments[3]));
    }
    if (segments.length < 2) {
      throw new BadRequest("expected /v1/objects/BUCKET/OBJECT[/generations/GENERATION]");
    }
    throw new BadRequest(
        "expected /v1/objects/BUCKET/OBJECT[/generations/GENERATION], the object name as one"
            + " segment: write each '/' in it as %2F");
  }

  private static String bucket(String segment) throws BadRequest {
    return checked(segment, StorageNames::bucketProblem);
  }

  private static String object(String segment) throws BadRequest {
    return checked(segment, StorageNames::objectProblem);
  }

  /** The decoded segment, if {@code problem} finds none in it. */
  private static String checked(String segment, Function<String, @Nullable String> problem)
      throws BadRequest {
    String name = decode(segment);
    String refusal = problem.apply(name);
    if (refusal != null) {
      throw new BadRequest(refusal);
    }
    return name;
  }

  private static long generation(String segment) throws BadRequest {
    // At most 19 digits; Long.parseLong then refuses what overflows a signed 64-bit number.
    if (segment.matches("[0-9]{1,19}")) {
      try {
        return Long.parseLong(segment);
      } catch (NumberFormatException overflow) {
        // reported below
      }
    }
    throw new BadRequest(
        "generation '"
            + StorageNames.printable(segment)
            + "' is not a whole number from 0 to "
            + Long.MAX_VALUE);
  }

  /**
   * Encodes {@code text} as one segment, the inverse of {@link #decode}: everything but RFC 3986's
   * unreserved characters percent-encoded as UTF-8, slashes included.
   */
  static String encode(String text) {
    StringBuilder segment = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        segment.append(c);
      } else {
        segment.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)));
        segment.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return segment.toString();
  }

  /**
   * Percent-decodes one segment, strictly: every "%" starts two hex digits, and the bytes must be
   * UTF-8, so that no two spellings name the same key and no malformed name reaches Redis. "+" is
   * itself (a path, not a form).
   */
  private static String decode(String segment) throws BadRequest {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        bytes.write(c); // printable ASCII: parse() refused anything else
        continue;
      }
      int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int low = high < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
      if (low < 0) {
        throw new BadRequest("bad percent-encoding in '" + StorageNames.printable(segment) + "'");
      }
      bytes.write(high * 16 + low);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadRequest(
          "'" + StorageNames.printable(segment) + "' does not decode to UTF-8 text");
    }
  }
}
