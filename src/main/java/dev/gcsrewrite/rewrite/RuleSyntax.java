package dev.gcsrewrite.rewrite;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The escaped rule syntax of {@link RewriteRules}, both ways: rule text to bytes, and bytes back to
 * text that parses to the same bytes.
 *
 * <p>Only syntax is checked here; what makes a rule set valid (non-empty tokens, no duplicates, the
 * length limit) is checked once, in {@link RewriteRules}, whatever the rules came from.
 */
final class RuleSyntax {
  /** The letters of the escapes other than {@code \xHH}, and what each stands for. */
  private static final String ESCAPES = "\\=,#nrt";

  private static final String ESCAPED = "\\=,#\n\r\t";

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  /** Characters shown escaped: invisible or no text at all (other and separator categories). */
  private static final Pattern HIDDEN = Pattern.compile("[\\p{C}\\p{Z}&&[^ ]]");

  /** Longer rule text is cut in messages, since a 4 KiB token would drown the actual problem. */
  private static final int MAX_MESSAGE_TEXT = 60;

  /** One parsed rule and how to name it in an error: {@code label} alone, or {@code where}. */
  record Entry(String label, String where, byte[] token, byte[] replacement) {}

  private RuleSyntax() {}

  static List<Entry> parseSpec(String spec) {
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    // An empty spec has no rules rather than one empty rule.
    for (int i = 0; i <= spec.length() && !spec.isEmpty(); i++) {
      if (i < spec.length() && spec.charAt(i) != ',') {
        // An escape pair is never a separator, whatever its second character is.
        i += spec.charAt(i) == '\\' && i + 1 < spec.length() ? 1 : 0;
        continue;
      }
      String raw = spec.substring(start, i);
      String label = "rule " + (entries.size() + 1);
      String where = label + " (" + quote(raw) + ")";
      if (raw.isEmpty()) {
        throw fail("%s: empty rule; remove the stray ',' or write \\, for a literal comma", where);
      }
      entries.add(parseRule(raw, label, where));
      start = i + 1;
    }
    return entries;
  }

  static List<Entry> parseLines(String[] lines) {
    List<Entry> entries = new ArrayList<>();
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      line = n == 0 && line.startsWith("\uFEFF") ? line.substring(1) : line;
      if (!line.isEmpty() && line.charAt(0) != '#') {
        String label = "line " + (n + 1);
        entries.add(parseRule(line, label, label + " (" + quote(line) + ")"));
      }
    }
    return entries;
  }

  /** Decodes one rule: escapes decoded, every other character as UTF-8, split on its '='. */
  private static Entry parseRule(String raw, String label, String where) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    byte[] token = null;
    for (int i = 0; i < raw.length(); ) {
      int c = raw.codePointAt(i);
      if (c == '=' && token != null) {
        throw fail(
            "%s: second unescaped '=' at character %d; write \\= for a literal '='",
            where, column(raw, i));
      } else if (c == '=') {
        token = out.toByteArray();
        out.reset();
        i++;
      } else if (c == '\\') {
        i = decodeEscape(raw, i, where, out);
      } else if (Character.getType(c) == Character.SURROGATE) {
        throw fail("%s: unpaired surrogate at character %d is not text", where, column(raw, i));
      } else {
        out.writeBytes(Character.toString(c).getBytes(UTF_8));
        i += Character.charCount(c);
      }
    }
    if (token == null) {
      throw fail(
          "%s: no unescaped '=' between token and replacement; write token=replacement", where);
    }
    return new Entry(label, where, token, out.toByteArray());
  }

  /** Decodes the escape at {@code i} into {@code out}; returns the index after it. */
  private static int decodeEscape(String raw, int i, String where, ByteArrayOutputStream out) {
    if (i + 1 == raw.length()) {
      throw fail("%s: lone '\\' at the end; write \\\\ for a literal backslash", where);
    }
    char e = raw.charAt(i + 1);
    if (ESCAPES.indexOf(e) >= 0) {
      out.write(ESCAPED.charAt(ESCAPES.indexOf(e)));
      return i + 2;
    }
    if (e != 'x') {
      int c = raw.codePointAt(i + 1);
      throw fail(
          "%s: unknown escape \\%s at character %d; the escapes are \\\\ \\= \\, \\# \\n \\r"
              + " \\t \\xHH",
          where,
          Character.isISOControl(c) ? "x" + HEX.toHexDigits((byte) c) : Character.toString(c),
          column(raw, i));
    }
    // HexFormat takes ASCII digits only; Character.digit would take other scripts' too.
    if (i + 3 >= raw.length()
        || !HexFormat.isHexDigit(raw.charAt(i + 2))
        || !HexFormat.isHexDigit(raw.charAt(i + 3))) {
      throw fail(
          "%s: \\x at character %d needs exactly two hex digits, e.g. \\x0A",
          where, column(raw, i));
    }
    out.write(HexFormat.fromHexDigits(raw, i + 2, i + 4));
    return i + 4;
  }

  /** 1-based position as a person counts it: in code points, not UTF-16 units. */
  private static int column(String raw, int index) {
    return raw.codePointCount(0, index) + 1;
  }

  /** An error whose message is formatted the same in every locale. */
  static IllegalArgumentException fail(String format, Object... args) {
    return new IllegalArgumentException(String.format(Locale.ROOT, format, args));
  }

  /** Renders one rule as {@code token=replacement}; also a valid line of a rule file. */
  static String render(byte[] token, byte[] replacement) {
    // Only a leading '#' is special (a comment in a rule file); escaping it keeps every rendered
    // rule usable as a file line too.
    int hash = token.length > 0 && token[0] == '#' ? 1 : 0;
    StringBuilder sb = new StringBuilder(hash == 1 ? "\\#" : "");
    appendEscaped(sb, ByteBuffer.wrap(token, hash, token.length - hash));
    appendEscaped(sb.append('='), ByteBuffer.wrap(replacement));
    return sb.toString();
  }

  /**
   * Appends {@code bytes} escaped: printable, well-formed UTF-8 stays readable, and every other
   * byte becomes {@code \xHH}, which is unambiguous and survives logs and terminals.
   */
  private static void appendEscaped(StringBuilder sb, ByteBuffer bytes) {
    // A new decoder reports malformed input, and it is strict: overlong forms, surrogates and code
    // points above U+10FFFF are malformed, so what it decodes encodes back to the same bytes.
    CharsetDecoder decoder = UTF_8.newDecoder();
    CharBuffer chars = CharBuffer.allocate(bytes.remaining());
    while (bytes.hasRemaining()) {
      CoderResult result = decoder.decode(bytes, chars, true);
      chars.flip().codePoints().forEach(c -> appendEscaped(sb, c));
      chars.clear();
      for (int k = 0; result.isError() && k < result.length(); k++) {
        sb.append("\\x").append(HEX.toHexDigits(bytes.get()));
      }
    }
  }

  private static void appendEscaped(StringBuilder sb, int c) {
    int escape = c == '#' ? -1 : ESCAPED.indexOf(c);
    if (escape >= 0) {
      sb.append('\\').append(ESCAPES.charAt(escape));
    } else if (isHidden(c)) {
      for (byte b : Character.toString(c).getBytes(UTF_8)) {
        sb.append("\\x").append(HEX.toHexDigits(b));
      }
    } else {
      sb.appendCodePoint(c);
    }
  }

  private static boolean isHidden(int c) {
    return HIDDEN.matcher(Character.toString(c)).matches();
  }

  /**
   * Quotes raw rule text for an error message: on one line (callers log messages as single lines),
   * hidden characters shown by number, and cut when long.
   */
  static String quote(String raw) {
    int shown = Math.min(raw.length(), MAX_MESSAGE_TEXT);
    if (shown < raw.length() && Character.isHighSurrogate(raw.charAt(shown - 1))) {
      shown--;
    }
    StringBuilder sb = new StringBuilder("\"");
    for (int c : raw.substring(0, shown).codePoints().toArray()) {
      int escape = "\n\r\t".indexOf(c);
      if (escape >= 0) {
        sb.append('\\').append("nrt".charAt(escape));
      } else if (isHidden(c)) {
        sb.append(String.format(Locale.ROOT, c < 0x80 ? "\\x%02X" : "\\u%04X", c));
      } else {
        sb.appendCodePoint(c);
      }
    }
    return sb.append(shown < raw.length() ? "...\"" : "\"").toString();
  }
}
