package dev.gcsrewrite.notification;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decides whether bucket and object names from a notification are safe to use as paths.
 *
 * <p>The same names address local folders in development runs, so anything that could escape a
 * bucket root or confuse a file system is refused everywhere: the rule set is one, whatever the
 * storage behind it, and an unsafe name is a dead letter rather than a surprise in production.
 */
public final class StorageNames {
  /** Cloud Storage's own limit on object names, in UTF-8 bytes. */
  public static final int MAX_OBJECT_NAME_BYTES = 1024;

  // Bucket naming rules: lowercase letters, digits, dashes, underscores and dots; 3 to 222
  // characters; starts and ends with a letter or digit.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  private StorageNames() {}

  /** Returns why {@code bucket} is not a valid bucket name, or null if it is. */
  public static @Nullable String bucketProblem(String bucket) {
    if (!BUCKET.matcher(bucket).matches()) {
      return "bucket name '"
          + printable(bucket)
          + "' is not valid (3-222 of a-z 0-9 . _ -, starting and ending with a letter or digit)";
    }
    if (bucket.contains("..")) {
      return "bucket name '" + bucket + "' contains '..'";
    }
    return null;
  }

  /**
   * Returns why {@code objectId} cannot be processed safely, or null if it can.
   *
   * <p>Refused, each with a reason naming the character or the length:
   *
   * <ul>
   *   <li>what Cloud Storage itself never names an object: empty, over 1024 UTF-8 bytes, CR or LF,
   *       text that is not valid Unicode (an unpaired surrogate);
   *   <li>what Beam would misread: line terminators (U+0085, U+2028, U+2029), because Beam's scheme
   *       detection and {@code GcsPath} stop at them and would take {@code gs://b/a\u2028b} for a
   *       local file;
   *   <li>control characters (C0, DEL and C1), which Cloud Storage advises against and which would
   *       corrupt log lines;
   *   <li>what could escape a bucket root or confuse a file system: a leading "/", "." or ".."
   *       segments, and empty segments other than the trailing one of a folder placeholder.
   * </ul>
   *
   * Every other character Cloud Storage allows is processed, glob characters ({@code * ? [ ] { }})
   * included: the write path never interprets them (see {@code ObjectLocations}).
   */
  public static @Nullable String objectProblem(String objectId) {
    if (objectId.isEmpty()) {
      return "object name is empty";
    }
    for (int i = 0; i < objectId.length(); i++) {
      char c = objectId.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < objectId.length()
                && Character.isLowSurrogate(objectId.charAt(i + 1));
        if (!paired) {
          return String.format(
              "object name '%s' is not valid Unicode: unpaired surrogate U+%04X",
              printable(objectId), (int) c);
        }
        i++;
      } else if (c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return String.format(
            "object name '%s' contains line terminator U+%04X, which Beam's path handling"
                + " stops at",
            printable(objectId), (int) c);
      } else if (isControl(c)) {
        return String.format(
            "object name '%s' contains control character U+%04X", printable(objectId), (int) c);
      }
    }
    int bytes = objectId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      return "object name is " + bytes + " bytes long; the limit is " + MAX_OBJECT_NAME_BYTES;
    }
    if (objectId.startsWith("/")) {
      return "object name '" + printable(objectId) + "' starts with '/'";
    }
    String[] segments = objectId.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals(".") || segment.equals("..")) {
        return "object name '" + printable(objectId) + "' contains a '" + segment + "' segment";
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return "object name '" + printable(objectId) + "' contains an empty segment ('//')";
      }
    }
    return null;
  }

  /**
   * A name made safe to print on one line: control characters, line terminators and unpaired
   * surrogates shown as \\uXXXX, and at most 300 characters (the rest as "...").
   */
  public static String printable(String name) {
    StringBuilder out = new StringBuilder(Math.min(name.length(), 320));
    for (int i = 0; i < name.length(); i++) {
      if (out.length() >= 300) {
        out.append("...");
        break;
      }
      char c = name.charAt(i);
      boolean pairedHigh =
          Character.isHighSurrogate(c)
              && i + 1 < name.length()
              && Character.isLowSurrogate(name.charAt(i + 1));
      if (pairedHigh) {
        out.append(c).append(name.charAt(++i));
      } else if (isControl(c) || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
  }
}
