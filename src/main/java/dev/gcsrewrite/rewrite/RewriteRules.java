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
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The ordered token replacements of a run, validated once and shared by option checking, the
 * engine, the workers and the logs.
 *
 * <p>Tokens and replacements are bytes, not strings: objects need not be text, and a rule may name
 * any raw byte. The syntax of {@link #parse(String) --rewriteRules}:
 *
 * <ul>
 *   <li>rules are separated by unescaped {@code ,}; each is {@code token=replacement}, split on its
 *       one unescaped {@code =};
 *   <li>escapes: {@code \\ \= \, \#}, {@code \n \r \t}, and {@code \xHH} (exactly two hex digits)
 *       for any byte; any other escape, or a lone trailing backslash, is an error;
 *   <li>every other character is literal and encoded as UTF-8, whitespace too (nothing is trimmed);
 *   <li>an empty replacement deletes the token.
 * </ul>
 *
 * <p>{@link #parseFile(String) Rule files} have one rule per line, with the same escapes, and:
 *
 * <ul>
 *   <li>{@code ,} is literal (though {@code \,} is accepted);
 *   <li>empty lines and lines that start with {@code #} are ignored ({@code \#} starts a token with
 *       {@code #});
 *   <li>a trailing {@code \r} (CRLF files) and a leading byte-order mark are dropped.
 * </ul>
 *
 * <p>Errors are {@link IllegalArgumentException}s with a one-line message that names the rule or
 * line and the problem but no option, so that the caller can prefix its own.
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

  private RewriteRules(List<RuleSyntax.Entry> entries, String noRulesMessage) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(noRulesMessage);
    }
    int n = entries.size();
    tokens = new byte[n][];
    replacements = new byte[n][];
    Map<ByteBuffer, String> seen = new HashMap<>();
    for (int i = 0; i < n; i++) {
      RuleSyntax.Entry e = entries.get(i);
      byte[] token = e.token();
      if (token.length == 0) {
        throw new IllegalArgumentException(e.where() + ": empty token");
      }
      if (token.length > MAX_TOKEN_LENGTH) {
        throw RuleSyntax.fail(
            "%s: token is %d bytes, longer than the maximum of %d",
            e.where(), token.length, MAX_TOKEN_LENGTH);
      }
      String first = seen.putIfAbsent(ByteBuffer.wrap(token), e.label());
      if (first != null) {
        throw RuleSyntax.fail("%s: duplicate token (same bytes as %s)", e.where(), first);
      }
      tokens[i] = token;
      replacements[i] = e.replacement();
    }
  }

  /** Parses the {@code --rewriteRules} syntax described on this class, e.g. {@code AWS=GCP}. */
  public static RewriteRules parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    return new RewriteRules(RuleSyntax.parseSpec(spec), "no rules: the rule spec is empty");
  }

  /**
   * Parses a rule file's content in the syntax described on this class; lines end at {@code \n} or
   * CRLF, and errors name the 1-based line number.
   */
  public static RewriteRules parseFile(String content) {
    return new RewriteRules(
        RuleSyntax.parseLines(content.split("\n", -1)),
        "no rules: the rule file has only blank lines and comments");
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
    List<RuleSyntax.Entry> entries = new ArrayList<>(tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      byte[] token = tokens.get(i).clone();
      byte[] replacement = replacements.get(i).clone();
      String label = "rule " + (i + 1);
      String where = label + " (" + RuleSyntax.quote(RuleSyntax.render(token, replacement)) + ")";
      entries.add(new RuleSyntax.Entry(label, where, token, replacement));
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

  /** The length in bytes of the shortest token. */
  public int minTokenLength() {
    return Arrays.stream(tokens).mapToInt(t -> t.length).min().getAsInt();
  }

  /** The length in bytes of the longest token. */
  public int maxTokenLength() {
    return Arrays.stream(tokens).mapToInt(t -> t.length).max().getAsInt();
  }

  /**
   * Renders the rules in the {@link #parse(String)} syntax, such that {@code parse(describe())}
   * equals these rules. Bytes that are not printable UTF-8 are rendered as {@code \xHH}.
   */
  public String describe() {
    return IntStream.range(0, size()).mapToObj(this::describeRule).collect(Collectors.joining(","));
  }

  /** Renders rule {@code index} alone; also a valid line of a rule file. */
  public String describeRule(int index) {
    return RuleSyntax.render(tokens[index], replacements[index]);
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

  private record SerializedForm(byte[][] tokens, byte[][] replacements) implements Serializable {
    private Object readResolve() throws InvalidObjectException {
      try {
        return of(Arrays.asList(tokens), Arrays.asList(replacements));
      } catch (RuntimeException e) {
        throw (InvalidObjectException) new InvalidObjectException(e.getMessage()).initCause(e);
      }
    }
  }
}
