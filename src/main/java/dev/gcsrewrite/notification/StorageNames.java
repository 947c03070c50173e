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
   * Returns why {@code objectId} is unsafe, or null if it is safe.
   *
   * <p>Refused: empty names, names over 1024 UTF-8 bytes, any ASCII control character (NUL, CR, LF,
   * tab...), a leading "/", "." or ".." segments, and empty segments other than the trailing one of
   * a folder placeholder ("a/b/").
   */
  public static @Nullable String objectProblem(String objectId) {
    if (objectId.isEmpty()) {
      return "object name is empty";
    }
    int bytes = objectId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      return "object name is " + bytes + " bytes long; the limit is " + MAX_OBJECT_NAME_BYTES;
    }
    for (int i = 0; i < objectId.length(); i++) {
      char c = objectId.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return String.format(
            "object name '%s' contains control character U+%04X", printable(objectId), (int) c);
      }
    }
    if (objectId.startsWith("/")) {
      return "object name '" + objectId + "' starts with '/'";
    }
    String[] segments = objectId.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.equals(".") || segment.equals("..")) {
        return "object name '" + objectId + "' contains a '" + segment + "' segment";
      }
      if (segment.isEmpty() && i < segments.length - 1) {
        return "object name '" + objectId + "' contains an empty segment ('//')";
      }
    }
    return null;
  }

  /** A name made safe to print on one line: control characters shown as \\uXXXX. */
  static String printable(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
