package dev.gcsrewrite.rewrite;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the escaped rule syntax of {@code --rewriteRules} and of rule files into raw rules.
 *
 * <p>Only syntax is checked here; what makes a rule set valid (non-empty tokens, no duplicates, the
 * length limit) is checked once, in {@link RewriteRules}, whatever the rules came from.
 */
final class RuleParser {
  private static final String KNOWN_ESCAPES = "\\\\ \\= \\, \\# \\n \\r \\t \\xHH";

  /** One parsed rule and how to name it in an error: {@code label} alone, or {@code where}. */
  record Entry(String label, String where, byte[] token, byte[] replacement) {}

  private RuleParser() {}

  static List<Entry> parseSpec(String spec) {
    if (spec.isEmpty()) {
      throw new IllegalArgumentException("no rules: the rule spec is empty");
    }
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i <= spec.length()) {
      if (i == spec.length() || spec.charAt(i) == ',') {
        String raw = spec.substring(start, i);
        String label = "rule " + (entries.size() + 1);
        String where = label + " (" + RuleText.quote(raw) + ")";
        if (raw.isEmpty()) {
          throw new IllegalArgumentException(
              where + ": empty rule; remove the stray ',' or write \\, for a literal comma");
        }
        entries.add(parseRule(raw, label, where));
        start = i + 1;
        i++;
      } else {
        // An escape pair is never a separator, whatever its second character is.
        i += spec.charAt(i) == '\\' ? 2 : 1;
        i = Math.min(i, spec.length());
      }
    }
    return entries;
  }

  static List<Entry> parseLines(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (n == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      String label = "line " + (n + 1);
      entries.add(parseRule(line, label, label + " (" + RuleText.quote(line) + ")"));
    }
    return entries;
  }

  private static Entry parseRule(String raw, String label, String where) {
    int equals = -1;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\') {
        if (i + 1 == raw.length()) {
          throw lonelyBackslash(where);
        }
        i++;
      } else if (c == '=') {
        if (equals >= 0) {
          throw new IllegalArgumentException(
              where
                  + ": second unescaped '=' at character "
                  + column(raw, i)
                  + "; write \\= for a literal '='");
        }
        equals = i;
      }
    }
    if (equals < 0) {
      throw new IllegalArgumentException(
          where + ": no unescaped '=' between token and replacement; write token=replacement");
    }
    byte[] token = decode(raw, 0, equals, where);
    byte[] replacement = decode(raw, equals + 1, raw.length(), where);
    return new Entry(label, where, token, replacement);
  }

  private static byte[] decode(String raw, int from, int to, String where) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    int i = from;
    while (i < to) {
      char c = raw.charAt(i);
      if (c == '\\') {
        i = decodeEscape(raw, i, to, where, out);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < to
          && Character.isLowSurrogate(raw.charAt(i + 1))) {
        Utf8.encode(raw.codePointAt(i), out);
        i += 2;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            where + ": unpaired surrogate at character " + column(raw, i) + " is not text");
      } else {
        Utf8.encode(c, out);
        i++;
      }
    }
    return out.toByteArray();
  }

  /** Decodes the escape at {@code i} into {@code out}; returns the index after it. */
  private static int decodeEscape(
      String raw, int i, int to, String where, ByteArrayOutputStream out) {
    if (i + 1 >= to) {
      throw lonelyBackslash(where);
    }
    char e = raw.charAt(i + 1);
    switch (e) {
      case '\\', '=', ',', '#' -> out.write(e);
      case 'n' -> out.write('\n');
      case 'r' -> out.write('\r');
      case 't' -> out.write('\t');
      case 'x' -> {
        int hi = i + 2 < to ? hexValue(raw.charAt(i + 2)) : -1;
        int lo = i + 3 < to ? hexValue(raw.charAt(i + 3)) : -1;
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException(
              where
                  + ": \\x at character "
                  + column(raw, i)
                  + " needs exactly two hex digits, e.g. \\x0A");
        }
        out.write(hi << 4 | lo);
        return i + 4;
      }
      default ->
          throw new IllegalArgumentException(
              where
                  + ": unknown escape \\"
                  + (Character.isISOControl(e)
                      ? String.format("x%02X", (int) e)
                      : Character.toString(raw.codePointAt(i + 1)))
                  + " at character "
                  + column(raw, i)
                  + "; the escapes are "
                  + KNOWN_ESCAPES);
    }
    return i + 2;
  }

  private static IllegalArgumentException lonelyBackslash(String where) {
    return new IllegalArgumentException(
        where + ": lone '\\' at the end; write \\\\ for a literal backslash");
  }

  /** ASCII only: {@link Character#digit} would also accept digits of other scripts. */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** 1-based position as a person counts it: in code points, not UTF-16 units. */
  private static int column(String raw, int index) {
    return raw.codePointCount(0, index) + 1;
  }
}
