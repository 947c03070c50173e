package dev.gcsrewrite.rewrite;

/**
 * Renders rule bytes back into the escaped rule syntax, and raw rule text into error messages.
 *
 * <p>Kept apart from the parser so that the one invariant that matters here is easy to check:
 * whatever this class renders, {@link RuleParser} reads back to the same bytes.
 */
final class RuleText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Longer rule text is cut in messages, since a 4 KiB token would drown the actual problem. */
  private static final int MAX_MESSAGE_TEXT = 60;

  private RuleText() {}

  /** Renders one rule as {@code token=replacement}; also a valid line of a rule file. */
  static String rule(byte[] token, byte[] replacement) {
    StringBuilder sb = new StringBuilder(token.length + replacement.length + 1);
    appendEscaped(sb, token, true);
    sb.append('=');
    appendEscaped(sb, replacement, false);
    return sb.toString();
  }

  /**
   * Appends {@code bytes} escaped. Printable, valid UTF-8 stays readable; everything else becomes
   * {@code \xHH} so that the rendering is unambiguous and survives logs and terminals.
   */
  static void appendEscaped(StringBuilder sb, byte[] bytes, boolean isToken) {
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        appendAscii(sb, (char) b, isToken && i == 0);
        i++;
        continue;
      }
      int n = Utf8.sequenceLength(bytes, i);
      int codePoint = n == 0 ? -1 : Utf8.decode(bytes, i, n);
      if (codePoint >= 0 && isPrintable(codePoint)) {
        sb.appendCodePoint(codePoint);
      } else {
        // Invalid or invisible: one \xHH per byte, so the exact bytes are visible and preserved.
        for (int k = 0; k < Math.max(n, 1); k++) {
          appendHex(sb, bytes[i + k]);
        }
      }
      i += Math.max(n, 1);
    }
  }

  private static void appendAscii(StringBuilder sb, char c, boolean firstOfToken) {
    switch (c) {
      case '\\' -> sb.append("\\\\");
      case '=' -> sb.append("\\=");
      case ',' -> sb.append("\\,");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      // Only a leading '#' is special (a comment in a rule file); escaping it there keeps every
      // rendered rule usable as a file line too.
      case '#' -> sb.append(firstOfToken ? "\\#" : "#");
      default -> {
        if (c < 0x20 || c == 0x7f) {
          appendHex(sb, (byte) c);
        } else {
          sb.append(c);
        }
      }
    }
  }

  private static void appendHex(StringBuilder sb, byte b) {
    sb.append("\\x").append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
  }

  private static boolean isPrintable(int codePoint) {
    switch (Character.getType(codePoint)) {
      case Character.CONTROL,
      Character.FORMAT,
      Character.SURROGATE,
      Character.PRIVATE_USE,
      Character.UNASSIGNED,
      Character.LINE_SEPARATOR,
      Character.PARAGRAPH_SEPARATOR,
      Character.SPACE_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  /**
   * Quotes raw rule text for an error message: kept on one line (callers log messages as single
   * lines) and cut when long.
   */
  static String quote(String raw) {
    StringBuilder sb = new StringBuilder("\"");
    int shown = Math.min(raw.length(), MAX_MESSAGE_TEXT);
    if (shown < raw.length() && Character.isHighSurrogate(raw.charAt(shown - 1))) {
      shown--;
    }
    for (int i = 0; i < shown; i++) {
      char c = raw.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == 0x85) {
            appendHex(sb, (byte) c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (shown < raw.length()) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
