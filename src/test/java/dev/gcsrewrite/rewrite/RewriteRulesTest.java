package dev.gcsrewrite.rewrite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** The rule syntax, its one-line errors, and the rendering back by {@code describe()}. */
public class RewriteRulesTest {

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** A rule file's content with these lines. */
  private static String file(String... lines) {
    return String.join("\n", lines);
  }

  private static void assertRule(RewriteRules rules, int index, byte[] token, byte[] replacement) {
    assertArrayEquals("token of rule " + index, token, rules.token(index));
    assertArrayEquals("replacement of rule " + index, replacement, rules.replacement(index));
  }

  private static void assertSingleRule(String spec, byte[] token, byte[] replacement) {
    RewriteRules rules = RewriteRules.parse(spec);
    assertEquals(1, rules.size());
    assertRule(rules, 0, token, replacement);
  }

  private static void assertSpecRejected(String spec, String expectedMessage) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.parse(spec));
    assertEquals(expectedMessage, e.getMessage());
    assertFalse("one line", e.getMessage().contains("\n") || e.getMessage().contains("\r"));
  }

  private static void assertFileRejected(List<String> lines, String expectedMessage) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RewriteRules.parseFile(String.join("\n", lines)));
    assertEquals(expectedMessage, e.getMessage());
  }

  // ---- the spec syntax ----

  @Test
  public void defaultSpecReplacesAwsWithGcp() {
    RewriteRules rules = RewriteRules.parse(RewriteRules.DEFAULT_SPEC);
    assertEquals(1, rules.size());
    assertRule(rules, 0, utf8("AWS"), utf8("GCP"));
    assertEquals(3, rules.minTokenLength());
    assertEquals(3, rules.maxTokenLength());
  }

  @Test
  public void severalRulesKeepTheirOrderAndLengths() {
    RewriteRules rules = RewriteRules.parse("AWS=GCP,Amazon=Google,S3=GCS");
    assertEquals(3, rules.size());
    assertRule(rules, 0, utf8("AWS"), utf8("GCP"));
    assertRule(rules, 1, utf8("Amazon"), utf8("Google"));
    assertRule(rules, 2, utf8("S3"), utf8("GCS"));
    assertEquals(2, rules.minTokenLength());
    assertEquals(6, rules.maxTokenLength());
  }

  @Test
  public void emptyReplacementMeansDeletion() {
    assertSingleRule("AWS=", utf8("AWS"), new byte[0]);
  }

  @Test
  public void whitespaceIsLiteralAndNotTrimmed() {
    assertSingleRule(" a b = c ", utf8(" a b "), utf8(" c "));
  }

  @Test
  public void backslashEscape() {
    assertSingleRule("a\\\\b=c", utf8("a\\b"), utf8("c"));
  }

  @Test
  public void equalsEscape() {
    assertSingleRule("a\\=b=c\\=d", utf8("a=b"), utf8("c=d"));
  }

  @Test
  public void commaEscapeDoesNotSeparateRules() {
    RewriteRules rules = RewriteRules.parse("a\\,b=c\\,d,e=f");
    assertEquals(2, rules.size());
    assertRule(rules, 0, utf8("a,b"), utf8("c,d"));
    assertRule(rules, 1, utf8("e"), utf8("f"));
  }

  @Test
  public void hashEscapeAndLiteralHash() {
    assertSingleRule("\\#a=#b", utf8("#a"), utf8("#b"));
    assertSingleRule("#a=b", utf8("#a"), utf8("b"));
  }

  @Test
  public void newlineCarriageReturnAndTabEscapes() {
    assertSingleRule("a\\nb=\\r\\t", utf8("a\nb"), utf8("\r\t"));
  }

  @Test
  public void hexEscapesGiveRawBytesInEitherCase() {
    assertSingleRule("\\x00\\xff\\xC3=\\x41\\x7e", bytes(0x00, 0xff, 0xc3), utf8("A~"));
  }

  @Test
  public void hexEscapeTakesExactlyTwoDigits() {
    assertSingleRule("\\x41B=\\x4142", utf8("AB"), utf8("A42"));
  }

  @Test
  public void nonAsciiCharactersAreEncodedAsUtf8() {
    assertSingleRule("café=日本", utf8("café"), utf8("日本"));
    assertSingleRule("😀=\\x00😀", utf8("😀"), bytes(0, 0xf0, 0x9f, 0x98, 0x80));
  }

  @Test
  public void tokenOfExactlyTheMaximumLengthIsAccepted() {
    String token = "a".repeat(RewriteRules.MAX_TOKEN_LENGTH);
    RewriteRules rules = RewriteRules.parse(token + "=b");
    assertEquals(RewriteRules.MAX_TOKEN_LENGTH, rules.maxTokenLength());
  }

  // ---- spec errors ----

  @Test
  public void emptyTokenIsRejected() {
    assertSpecRejected("=x", "rule 1 (\"=x\"): empty token");
    assertSpecRejected("a=b,=c", "rule 2 (\"=c\"): empty token");
  }

  @Test
  public void duplicateTokenIsRejectedNamingTheFirstRule() {
    assertSpecRejected("a=1,b=2,a=3", "rule 3 (\"a=3\"): duplicate token (same bytes as rule 1)");
  }

  @Test
  public void duplicateIsDetectedByBytesNotBySpelling() {
    assertSpecRejected(
        "A=1,\\x41=2", "rule 2 (\"\\x41=2\"): duplicate token (same bytes as rule 1)");
  }

  @Test
  public void emptySpecIsRejected() {
    assertSpecRejected("", "no rules: the rule spec is empty");
  }

  @Test
  public void trailingCommaIsAnEmptyRule() {
    assertSpecRejected(
        "AWS=GCP,",
        "rule 2 (\"\"): empty rule; remove the stray ',' or write \\, for a literal comma");
  }

  @Test
  public void leadingAndDoubledCommasAreEmptyRules() {
    assertSpecRejected(
        ",a=b", "rule 1 (\"\"): empty rule; remove the stray ',' or write \\, for a literal comma");
    assertSpecRejected(
        "a=b,,c=d",
        "rule 2 (\"\"): empty rule; remove the stray ',' or write \\, for a literal comma");
  }

  @Test
  public void secondUnescapedEqualsIsRejectedWithAHint() {
    assertSpecRejected(
        "a=b=c",
        "rule 1 (\"a=b=c\"): second unescaped '=' at character 4; write \\= for a literal '='");
  }

  @Test
  public void missingEqualsIsRejected() {
    assertSpecRejected(
        "AWS=GCP,Amazon",
        "rule 2 (\"Amazon\"): no unescaped '=' between token and replacement; write"
            + " token=replacement");
    assertSpecRejected(
        "a\\=b",
        "rule 1 (\"a\\=b\"): no unescaped '=' between token and replacement; write"
            + " token=replacement");
  }

  @Test
  public void unknownEscapeIsRejected() {
    assertSpecRejected(
        "a\\qb=c",
        "rule 1 (\"a\\qb=c\"): unknown escape \\q at character 2; the escapes are"
            + " \\\\ \\= \\, \\# \\n \\r \\t \\xHH");
    assertSpecRejected(
        "a=\\u00e9",
        "rule 1 (\"a=\\u00e9\"): unknown escape \\u at character 3; the escapes are"
            + " \\\\ \\= \\, \\# \\n \\r \\t \\xHH");
  }

  @Test
  public void trailingLoneBackslashIsRejected() {
    String expected = ": lone '\\' at the end; write \\\\ for a literal backslash";
    assertSpecRejected("a=b\\", "rule 1 (\"a=b\\\")" + expected);
    assertSpecRejected("a\\", "rule 1 (\"a\\\")" + expected);
    assertSpecRejected("x=y,a=b\\", "rule 2 (\"a=b\\\")" + expected);
  }

  @Test
  public void badHexEscapesAreRejected() {
    String hint = " needs exactly two hex digits, e.g. \\x0A";
    assertSpecRejected("\\xZ1=a", "rule 1 (\"\\xZ1=a\"): \\x at character 1" + hint);
    assertSpecRejected("\\x4=a", "rule 1 (\"\\x4=a\"): \\x at character 1" + hint);
    assertSpecRejected("a=b\\x", "rule 1 (\"a=b\\x\"): \\x at character 4" + hint);
    assertSpecRejected("a=b\\x0", "rule 1 (\"a=b\\x0\"): \\x at character 4" + hint);
    // Digits of other scripts are digits to Character.digit, but not hex digits here.
    assertSpecRejected("\\x٣٣=a", "rule 1 (\"\\x٣٣=a\"): \\x at character 1" + hint);
  }

  @Test
  public void tooLongTokenIsRejectedWithAShortenedQuote() {
    String spec = "a".repeat(RewriteRules.MAX_TOKEN_LENGTH + 1) + "=b";
    assertSpecRejected(
        spec,
        "rule 1 (\""
            + "a".repeat(60)
            + "...\"): token is 4097 bytes, longer than the maximum of 4096");
  }

  @Test
  public void tokenLengthLimitCountsBytesNotCharacters() {
    String spec = "é".repeat(2049) + "=b";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.parse(spec));
    assertThat(e.getMessage(), containsString("token is 4098 bytes"));
  }

  @Test
  public void unpairedSurrogateIsRejected() {
    assertSpecRejected(
        "a\uD800=b", "rule 1 (\"a\\uD800=b\"): unpaired surrogate at character 2 is not text");
  }

  @Test
  public void controlCharactersInTheQuotedRuleKeepTheMessageOnOneLine() {
    assertSpecRejected(
        "a\nb",
        "rule 1 (\"a\\nb\"): no unescaped '=' between token and"
            + " replacement; write token=replacement");
  }

  // ---- the file syntax ----

  @Test
  public void fileIgnoresCommentsAndBlankLines() {
    RewriteRules rules =
        RewriteRules.parseFile(
            file("# cloud names", "", "AWS=GCP", "#Amazon=nope", "Amazon=Google", ""));
    assertEquals(RewriteRules.parse("AWS=GCP,Amazon=Google"), rules);
  }

  @Test
  public void fileCommasAreLiteralButTheEscapeIsAccepted() {
    RewriteRules rules = RewriteRules.parseFile(file("a,b=c,d", "e\\,f=g"));
    assertRule(rules, 0, utf8("a,b"), utf8("c,d"));
    assertRule(rules, 1, utf8("e,f"), utf8("g"));
  }

  @Test
  public void fileHashEscapeStartsATokenWithHash() {
    RewriteRules rules = RewriteRules.parseFile(file("\\#tag=label", " #not a comment=x"));
    assertRule(rules, 0, utf8("#tag"), utf8("label"));
    assertRule(rules, 1, utf8(" #not a comment"), utf8("x"));
  }

  @Test
  public void fileUsesTheSameEscapes() {
    RewriteRules rules = RewriteRules.parseFile(file("a\\=b\\x00=\\t\\\\"));
    assertRule(rules, 0, bytes('a', '=', 'b', 0), utf8("\t\\"));
  }

  @Test
  public void fileCrlfLineEndingsAreStripped() {
    RewriteRules rules = RewriteRules.parseFile("# rules\r\nAWS=GCP\r\n\r\nS3=GCS\r\n");
    assertEquals(RewriteRules.parse("AWS=GCP,S3=GCS"), rules);
  }

  @Test
  public void fileOnlyOneTrailingCarriageReturnIsStripped() {
    RewriteRules rules = RewriteRules.parseFile(file("a=b\r\r"));
    assertRule(rules, 0, utf8("a"), utf8("b\r"));
  }

  @Test
  public void fileLeadingByteOrderMarkIsIgnored() {
    assertEquals(RewriteRules.parse("AWS=GCP"), RewriteRules.parseFile("\uFEFFAWS=GCP\n"));
  }

  @Test
  public void fileErrorsNameTheLineNumber() {
    assertFileRejected(
        List.of("# header", "", "AWS=GCP", "Amazon"),
        "line 4 (\"Amazon\"): no unescaped '=' between token and replacement; write"
            + " token=replacement");
    assertFileRejected(List.of("a=b", "# c", "=x"), "line 3 (\"=x\"): empty token");
    assertFileRejected(
        List.of("a=1", "", "a=2"), "line 3 (\"a=2\"): duplicate token (same bytes as line 1)");
    assertFileRejected(
        List.of("a=b", "c\\q=d"),
        "line 2 (\"c\\q=d\"): unknown escape \\q at character 2; the escapes are"
            + " \\\\ \\= \\, \\# \\n \\r \\t \\xHH");
  }

  @Test
  public void fileLineNumbersCountCrlfLinesOfTheContent() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RewriteRules.parseFile("a=b\r\n\r\nc=d=e\r\n"));
    assertEquals(
        "line 3 (\"c=d=e\"): second unescaped '=' at character 4; write \\= for a literal '='",
        e.getMessage());
  }

  @Test
  public void fileWithoutRulesIsRejected() {
    assertFileRejected(
        List.of("# nothing", "", "#"), "no rules: the rule file has only blank lines and comments");
    assertFileRejected(List.of(), "no rules: the rule file has only blank lines and comments");
  }

  // ---- describe() ----

  @Test
  public void describeRendersTheSpecSyntax() {
    assertEquals("AWS=GCP", RewriteRules.parse("AWS=GCP").describe());
    assertEquals(
        "a\\,b=c\\=d,\\\\=\\n\\r\\t,x=",
        RewriteRules.parse("a\\,b=c\\=d,\\\\=\\n\\r\\t,x=").describe());
    assertEquals("AWS=GCP,S3=GCS", RewriteRules.parse("AWS=GCP,S3=GCS").toString());
  }

  @Test
  public void describeKeepsPrintableUnicodeReadable() {
    String spec = "café=日本,😀=é";
    assertEquals(spec, RewriteRules.parse(spec).describe());
  }

  @Test
  public void describeRendersControlInvalidAndInvisibleBytesAsHex() {
    assertEquals("\\x00\\x7F=\\x1B", RewriteRules.parse("\\x00\\x7f=\\x1b").describe());
    // a lone lead byte, a lone continuation byte, an overlong '/', an encoded surrogate, and a
    // code point above U+10FFFF are all malformed UTF-8
    RewriteRules malformed =
        RewriteRules.parse("\\xC3=\\x80,\\xC0\\xAF=\\xED\\xA0\\x80,\\xF4\\x90\\x80\\x80=x");
    assertEquals(
        "\\xC3=\\x80,\\xC0\\xAF=\\xED\\xA0\\x80,\\xF4\\x90\\x80\\x80=x", malformed.describe());
    // no-break space, zero-width joiner, a C1 control: valid but invisible
    assertEquals(
        "\\xC2\\xA0=\\xE2\\x80\\x8D\\xC2\\x85",
        RewriteRules.parseFile(file("\u00A0=\u200D\u0085")).describe());
  }

  @Test
  public void describeEscapesALeadingHashOnlyInTokens() {
    RewriteRules rules = RewriteRules.parse("\\#a#=#b");
    assertEquals("\\#a#=#b", rules.describe());
    assertEquals(rules, RewriteRules.parseFile(file(rules.describeRule(0))));
  }

  @Test
  public void describeRoundTripsAllByteValues() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    byte[] reversed = new byte[256];
    for (int i = 0; i < 256; i++) {
      reversed[i] = (byte) (255 - i);
    }
    RewriteRules rules = RewriteRules.of(List.of(all, reversed), List.of(reversed, new byte[0]));
    assertEquals(rules, RewriteRules.parse(rules.describe()));
  }

  @Test
  public void describeRoundTripsRandomBinaryRulesAsSpecAndAsFile() {
    Random random = new Random(20240611L);
    // Bytes from a mix of ASCII, syntax characters and UTF-8 pieces, so that valid and invalid
    // sequences and every escape both occur often.
    byte[] alphabet =
        bytes(
            'a', '=', ',', '\\', '#', '\n', '\r', '\t', ' ', 0, 0x7f, 0xc3, 0xa9, 0xe6, 0x97, 0xa5,
            0xf0, 0x9f, 0x98, 0x80, 0xff, 0xed, 0xa0);
    for (int iteration = 0; iteration < 2000; iteration++) {
      int n = 1 + random.nextInt(4);
      List<byte[]> tokens = new ArrayList<>();
      List<byte[]> replacements = new ArrayList<>();
      while (tokens.size() < n) {
        byte[] token = randomBytes(random, alphabet, 1 + random.nextInt(8));
        if (tokens.stream().noneMatch(t -> Arrays.equals(t, token))) {
          tokens.add(token);
          replacements.add(randomBytes(random, alphabet, random.nextInt(8)));
        }
      }
      RewriteRules rules = RewriteRules.of(tokens, replacements);
      assertEquals(rules.describe(), rules, RewriteRules.parse(rules.describe()));
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        lines.add(rules.describeRule(i));
      }
      assertEquals(lines.toString(), rules, RewriteRules.parseFile(String.join("\n", lines)));
    }
  }

  private static byte[] randomBytes(Random random, byte[] alphabet, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return b;
  }

  // ---- value behaviour ----

  @Test
  public void equalityIsByContent() {
    RewriteRules a = RewriteRules.parse("AWS=GCP,S3=GCS");
    RewriteRules b = RewriteRules.parseFile(file("AWS=GCP", "S3=GCS"));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, RewriteRules.parse("S3=GCS,AWS=GCP"));
    assertNotEquals(a, RewriteRules.parse("AWS=GCP,S3=GCs"));
  }

  @Test
  public void accessorsReturnDefensiveCopies() {
    byte[] token = utf8("AWS");
    List<byte[]> tokens = new ArrayList<>(List.of(token));
    RewriteRules rules = RewriteRules.of(tokens, List.of(utf8("GCP")));
    token[0] = 'X';
    rules.token(0)[0] = 'Y';
    rules.replacement(0)[0] = 'Y';
    assertEquals(RewriteRules.parse("AWS=GCP"), rules);
  }

  @Test
  public void ofRejectsMismatchedAndEmptyLists() {
    IllegalArgumentException mismatch =
        assertThrows(
            IllegalArgumentException.class, () -> RewriteRules.of(List.of(utf8("a")), List.of()));
    assertEquals("1 tokens but 0 replacements", mismatch.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.of(List.of(), List.of()));
    assertEquals("no rules: the rule list is empty", empty.getMessage());
  }

  @Test
  public void ofErrorsNameTheRuleAndShowIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RewriteRules.of(List.of(utf8("a"), new byte[0]), List.of(utf8("b"), utf8("c"))));
    assertEquals("rule 2 (\"=c\"): empty token", e.getMessage());
  }

  @Test
  public void serializationPreservesTheRules() throws Exception {
    RewriteRules rules = RewriteRules.parse("AWS=GCP,\\x00\\xff=,é=e");
    RewriteRules copy = roundTrip(rules);
    assertEquals(rules, copy);
    assertEquals(rules.minTokenLength(), copy.minTokenLength());
    assertEquals(rules.maxTokenLength(), copy.maxTokenLength());
  }

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  public void messagesDoNotStartWithAnOptionName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RewriteRules.parse("a=b=c"));
    assertTrue(e.getMessage(), e.getMessage().startsWith("rule 1 "));
  }
}
