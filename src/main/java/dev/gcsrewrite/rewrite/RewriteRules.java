package dev.gcsrewrite.rewrite;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ordered token replacements of a run, validated once.
 *
 * <p>It exists so that option validation, the rewrite engine, the workers (it is {@link
 * Serializable}) and the logs all share one checked description of what to replace with what.
 * Tokens and replacements are bytes, not strings: objects need not be text, and a rule may name any
 * raw byte with {@code \xHH}.
 *
 * <p>Syntax of {@link #parse(String) --rewriteRules}: rules are separated by unescaped {@code ,};
 * each rule is {@code token=replacement}, split on its one unescaped {@code =}. Escapes: {@code \\}
 * backslash, {@code \=} equals, {@code \,} comma, {@code \#} hash, {@code \n} {@code \r} {@code
 * \t}, and {@code \xHH} (exactly two hex digits) for any raw byte; any other escape, or a lone
 * trailing backslash, is an error. Every other character is literal and encoded as UTF-8;
 * whitespace is literal too (nothing is trimmed). The replacement may be empty, which deletes the
 * token.
 *
 * <p>Syntax of {@link #parseFile(List) rule files}: one rule per line with the same escapes, where
 * {@code ,} is literal (though {@code \,} is accepted); empty lines and lines whose first character
 * is {@code #} are ignored (write {@code \#} for a token that starts with {@code #}); a trailing
 * {@code \r} (CRLF files) and a leading byte-order mark are dropped.
 *
 * <p>Errors are {@link IllegalArgumentException}s whose message is one line naming the rule (or
 * line) and the problem, without an option name, so that the caller can prefix its own.
 */
public final class RewriteRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The rule the product applies when none is given. */
  public static final String DEFAULT_SPEC = "AWS=GCP";

  /**
   * The longest token accepted, in bytes. The engine carries up to this many bytes between reads
   * and sizes its buffers from it, so the bound keeps memory small and predictable.
   */
  public static final int MAX_TOKEN_LENGTH = 4096;

  private final byte[][] tokens;
  private final byte[][] replacements;
  private final int minTokenLength;
  private final int maxTokenLength;

  private RewriteRules(List<RuleParser.Entry> entries, String noRulesMessage) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(noRulesMessage);
    }
    int n = entries.size();
    tokens = new byte[n][];
    replacements = new byte[n][];
    Map<ByteBuffer, String> seen = new HashMap<>();
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (int i = 0; i < n; i++) {
      RuleParser.Entry e = entries.get(i);
      byte[] token = e.token();
      if (token.length == 0) {
        throw new IllegalArgumentException(e.where() + ": empty token");
      }
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            e.where()
                + ": token is "
                + token.length
                + " bytes, longer than the maximum of "
                + MAX_TOKEN_LENGTH);
      }
      String first = seen.putIfAbsent(ByteBuffer.wrap(token), e.label());
      if (first != null) {
        throw new IllegalArgumentException(
            e.where() + ": duplicate token (same bytes as " + first + ")");
      }
      tokens[i] = token;
      replacements[i] = e.replacement();
      min = Math.min(min, token.length);
      max = Math.max(max, token.length);
    }
    minTokenLength = min;
    maxTokenLength = max;
  }

  /** Parses the {@code --rewriteRules} syntax described on this class, e.g. {@code AWS=GCP}. */
  public static RewriteRules parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    return new RewriteRules(RuleParser.parseSpec(spec), "no rules: the rule spec is empty");
  }

  /**
   * Parses a rule file given as its lines (as {@code Files.readAllLines} returns them), in the
   * syntax described on this class. Errors name the 1-based line number.
   */
  public static RewriteRules parseFile(List<String> lines) {
    Objects.requireNonNull(lines, "lines");
    return new RewriteRules(
        RuleParser.parseLines(lines), "no rules: the rule file has only blank lines and comments");
  }

  /** Parses a rule file given as its whole content; lines end at {@code \n} (or CRLF). */
  public static RewriteRules parseFile(String content) {
    Objects.requireNonNull(content, "content");
    return parseFile(Arrays.asList(content.split("\n", -1)));
  }

  /**
   * Builds rules from raw bytes, for callers that do not start from text. The lists are
   * index-aligned; errors name the 1-based rule number.
   */
  public static RewriteRules of(List<byte[]> tokens, List<byte[]> replacements) {
    if (tokens.size() != replacements.size()) {
      throw new IllegalArgumentException(
          tokens.size() + " tokens but " + replacements.size() + " replacements");
    }
    List<RuleParser.Entry> entries = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      byte[] token = tokens.get(i).clone();
      byte[] replacement = replacements.get(i).clone();
      String label = "rule " + (i + 1);
      String where = label + " (" + RuleText.quote(RuleText.rule(token, replacement)) + ")";
      entries.add(new RuleParser.Entry(label, where, token, replacement));
    }
    return new RewriteRules(entries, "no rules: the rule list is empty");
  }

  /** The number of rules; stats are reported per rule, in this order. */
  public int size() {
    return tokens.length;
  }

  /** A copy of the token of rule {@code index} (0-based). */
  public byte[] token(int index) {
    return tokens[index].clone();
  }

  /** A copy of the replacement of rule {@code index} (0-based); empty means deletion. */
  public byte[] replacement(int index) {
    return replacements[index].clone();
  }

  /** Copies of all tokens, in rule order. */
  public List<byte[]> tokens() {
    return copies(tokens);
  }

  /** Copies of all replacements, in rule order. */
  public List<byte[]> replacements() {
    return copies(replacements);
  }

  private static List<byte[]> copies(byte[][] arrays) {
    List<byte[]> list = new ArrayList<>(arrays.length);
    for (byte[] a : arrays) {
      list.add(a.clone());
    }
    return List.copyOf(list);
  }

  /** The length in bytes of the shortest token. */
  public int minTokenLength() {
    return minTokenLength;
  }

  /** The length in bytes of the longest token. */
  public int maxTokenLength() {
    return maxTokenLength;
  }

  /**
   * Renders the rules in the {@link #parse(String)} syntax, such that {@code parse(describe())}
   * equals these rules. Bytes that are not printable UTF-8 are rendered as {@code \xHH}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < tokens.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(describeRule(i));
    }
    return sb.toString();
  }

  /** Renders rule {@code index} alone; also a valid line of a rule file. */
  public String describeRule(int index) {
    return RuleText.rule(tokens[index], replacements[index]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RewriteRules other
        && Arrays.deepEquals(tokens, other.tokens)
        && Arrays.deepEquals(replacements, other.replacements);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(tokens) + Arrays.deepHashCode(replacements);
  }

  /** Same as {@link #describe()}, so logs show the rules as a user would write them. */
  @Override
  public String toString() {
    return describe();
  }

  // Serialized through a proxy that re-runs validation, so a crafted stream cannot produce rules
  // that break the invariants (non-empty, unique, bounded tokens) the engine relies on.
  private Object writeReplace() {
    return new SerializedForm(tokens, replacements);
  }

  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("RewriteRules is serialized through its SerializedForm");
  }

  private static final class SerializedForm implements Serializable {
    private static final long serialVersionUID = 1L;
    private final byte[][] tokens;
    private final byte[][] replacements;

    SerializedForm(byte[][] tokens, byte[][] replacements) {
      this.tokens = tokens;
      this.replacements = replacements;
    }

    private Object readResolve() throws InvalidObjectException {
      try {
        return of(Arrays.asList(tokens), Arrays.asList(replacements));
      } catch (RuntimeException e) {
        InvalidObjectException invalid = new InvalidObjectException(e.getMessage());
        invalid.initCause(e);
        throw invalid;
      }
    }
  }
}
