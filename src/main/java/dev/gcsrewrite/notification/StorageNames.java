package dev.gcsrewrite.notification;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decides whether bucket and object names from a notification are safe to use as paths.
 *
 * <p>The same names address local folders in development runs, so anything that could escape a
 * bucket root or confuse a file system is refused everywhere: one rule set, whatever the storage
 * behind it, and an unsafe name is a dead letter rather than a surprise in production.
 */
public final class StorageNames {
  /** Cloud Storage's own limit on object names, in UTF-8 bytes. */
  public static final int MAX_OBJECT_NAME_BYTES = 1024;

  // Lowercase letters, digits, dashes, underscores and dots; 3 to 222 characters; starts and ends
  // with a letter or digit.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  private StorageNames() {}

  /** Returns why {@code bucket} is not a valid bucket name, or null if it is. */
  public static @Nullable String bucketProblem(String bucket) {
    if (!BUCKET.matcher(bucket).matches()) {
      return "bucket name '"
          + printable(bucket)
          + "' is not valid (3-222 of a-z 0-9 . _ -, starting and ending with a letter or digit)";
    }
    return bucket.contains("..") ? "bucket name '" + bucket + "' contains '..'" : null;
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
    String name = "object name '" + printable(objectId) + "'";
    for (int c : objectId.codePoints().toArray()) {
      if (Character.getType(c) == Character.SURROGATE) {
        return String.format("%s is not valid Unicode: unpaired surrogate U+%04X", name, c);
      } else if (c == 0x85 || c == 0x2028 || c == 0x2029) {
        return String.format(
            "%s contains line terminator U+%04X, which Beam's path handling stops at", name, c);
      } else if (Character.isISOControl(c)) {
        return String.format("%s contains control character U+%04X", name, c);
      }
    }
    int bytes = objectId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      return "object name is " + bytes + " bytes long; the limit is " + MAX_OBJECT_NAME_BYTES;
    }
    if (objectId.startsWith("/")) {
      return name + " starts with '/'";
    }
    for (String segment : objectId.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return name + " contains a '" + segment + "' segment";
      }
    }
    return objectId.contains("//") ? name + " contains an empty segment ('//')" : null;
  }

  /**
   * A name made safe to print on one line: control characters, line terminators and unpaired
   * surrogates shown as \\uXXXX, and at most 300 characters (the rest as "...").
   */
  public static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int c : name.codePoints().toArray()) {
      if (out.length() >= 300) {
        return out.append("...").toString();
      }
      boolean hidden =
          Character.isISOControl(c)
              || c == 0x2028
              || c == 0x2029
              || Character.getType(c) == Character.SURROGATE;
      out.append(hidden ? String.format("\\u%04x", c) : Character.toString(c));
    }
    return out.toString();
  }
}
