package dev.gcsrewrite.rewrite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.rewrite.TestChannels.ChunkedReader;
import dev.gcsrewrite.rewrite.TestChannels.StingyWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.Test;

/**
 * The rewrite semantics case by case, through short reads, small buffers and partial writes where
 * boundaries matter; {@link TokenRewriterRandomizedTest} covers the cases nobody thought of.
 */
public class TokenRewriterTest {

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static String rewrite(String spec, String input) {
    return new String(
        TestChannels.rewrite(new TokenRewriter(RewriteRules.parse(spec)), utf8(input)), UTF_8);
  }

  /** Rewrites through short reads, a small buffer and partial writes. */
  private static byte[] rewriteChunked(
      TokenRewriter rewriter, byte[] input, IntSupplier chunks, int bufferSize) throws IOException {
    StingyWriter out = new StingyWriter(5, 3);
    rewriter.rewrite(new ChunkedReader(input, chunks), out, bufferSize);
    return out.bytes();
  }

  // ---- tokens across read and buffer boundaries ----

  @Test
  public void tokenSplitAcrossTheReadBufferBoundaryAtEveryOffset() throws IOException {
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
    for (int bufferSize = 6; bufferSize <= 13; bufferSize++) {
      for (int offset = 0; offset <= 3 * bufferSize; offset++) {
        String input = "x".repeat(offset) + "AWS" + "y".repeat(5);
        String expected = "x".repeat(offset) + "GCP" + "y".repeat(5);
        String where = "buffer " + bufferSize + ", offset " + offset;
        assertEquals(
            where + ", growing reads",
            expected,
            new String(
                rewriteChunked(rewriter, utf8(input), TestChannels.growingChunks(7), bufferSize),
                UTF_8));
        assertEquals(
            where + ", 1-byte reads",
            expected,
            new String(rewriteChunked(rewriter, utf8(input), () -> 1, bufferSize), UTF_8));
        assertEquals(
            where + ", whole reads",
            expected,
            new String(
                rewriteChunked(rewriter, utf8(input), () -> Integer.MAX_VALUE, bufferSize), UTF_8));
      }
    }
  }

  @Test
  public void longTokenSplitAcrossTheReadBufferBoundaryAtEveryOffset() throws IOException {
    String token = "Amazon Web Services";
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse(token + "=Google Cloud,A=a"));
    for (int bufferSize = 2 * token.length(); bufferSize <= 2 * token.length() + 5; bufferSize++) {
      for (int offset = 0; offset <= 2 * bufferSize; offset++) {
        String input = "A".repeat(offset) + token + "Amazon Web Service";
        String expected = "a".repeat(offset) + "Google Cloud" + "amazon Web Service";
        assertEquals(
            "buffer " + bufferSize + ", offset " + offset,
            expected,
            new String(
                rewriteChunked(rewriter, utf8(input), TestChannels.growingChunks(11), bufferSize),
                UTF_8));
      }
    }
  }

  @Test
  public void adjacentTokensAcrossBoundaries() throws IOException {
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
    for (int bufferSize = 6; bufferSize <= 9; bufferSize++) {
      for (int offset = 0; offset < 9; offset++) {
        byte[] out =
            rewriteChunked(
                rewriter,
                utf8("-".repeat(offset) + "AWSAWSAWSAWS"),
                TestChannels.growingChunks(4),
                bufferSize);
        assertEquals("-".repeat(offset) + "GCPGCPGCPGCP", new String(out, UTF_8));
      }
    }
  }

  // ---- which match wins ----

  @Test
  public void longestTokenWinsAtOnePosition() {
    String rules = "A=1,AB=2,ABC=3,BC=4";
    assertEquals("3", rewrite(rules, "ABC"));
    assertEquals("2D", rewrite(rules, "ABD"));
    assertEquals("2", rewrite(rules, "AB"));
    assertEquals("1", rewrite(rules, "A"));
    assertEquals("34", rewrite(rules, "ABCBC"));
  }

  @Test
  public void leftmostMatchWinsOverALongerLaterOne() {
    assertEquals("X4", rewrite("A=1,AB=2,ABC=3,BC=4", "XBC"));
    assertEquals("13", rewrite("A=1,AB=2,ABC=3,BC=4", "AABC"));
    assertEquals("yD", rewrite("BCD=x,ABC=y", "ABCD"));
    assertEquals("1CDE", rewrite("AB=1,BCDE=2", "ABCDE"));
  }

  @Test
  public void matchesDoNotOverlap() {
    assertEquals("ba", rewrite("aa=b", "aaa"));
    assertEquals("bb", rewrite("aa=b", "aaaa"));
    assertEquals("bba", rewrite("aa=b", "aaaaa"));
    assertEquals("xba", rewrite("aba=x", "ababa"));
  }

  @Test
  public void replacementsAreNotRescanned() {
    assertEquals("aaaaaa", rewrite("a=aa", "aaa"));
    assertEquals("AWSAWS-AWSAWS", rewrite("AWS=AWSAWS", "AWS-AWS"));
    assertEquals("bc", rewrite("a=b,b=c", "ab"));
    assertEquals("AWS", rewrite("GCP=AWS,AWS=GCP", "GCP"));
  }

  @Test
  public void ruleOrderDoesNotChangeTheResult() {
    assertEquals(
        rewrite("A=1,AB=2,ABC=3,BC=4", "ABCABXBC"), rewrite("BC=4,ABC=3,A=1,AB=2", "ABCABXBC"));
  }

  // ---- content ----

  @Test
  public void multibyteUtf8AroundAndInsideTokens() throws IOException {
    assertEquals("cafe e", rewrite("é=e", "café é"));
    assertEquals("Japan語のJapan", rewrite("日本=Japan", "日本語の日本"));
    assertEquals("hi :) ok 😀", rewrite("😀x=:)", "hi 😀x ok 😀"));
    assertEquals("é→ê", rewrite("->=→,e=ê", "é->e"));
    // A token of one character never matches part of another character.
    assertEquals("本 ok", rewrite("\\xA6=!", "本 ok"));
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("日本=にほん,😀=☺"));
    String input = "é日本😀日本語😀";
    for (int bufferSize = 12; bufferSize < 20; bufferSize++) {
      assertEquals(
          "éにほん☺にほん語☺",
          new String(rewriteChunked(rewriter, utf8(input), () -> 1, bufferSize), UTF_8));
    }
  }

  @Test
  public void binaryInputWithAllByteValuesPassesThroughExceptMatches() throws IOException {
    byte[] input = new byte[256 * 5];
    for (int i = 0; i < input.length; i++) {
      input[i] = (byte) (i * 7);
    }
    TokenRewriter noMatch = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
    assertArrayEquals(input, TestChannels.rewrite(noMatch, input));
    assertArrayEquals(input, rewriteChunked(noMatch, input, TestChannels.growingChunks(13), 6));

    RewriteRules rules = RewriteRules.parse("\\x00=,\\xff\\x06=\\x01\\x02,\\x80=\\x80\\x80");
    TokenRewriter rewriter = new TokenRewriter(rules);
    ReferenceRewriter expected = new ReferenceRewriter(rules, input);
    assertFalse(expected.counts.contains(0L));
    assertArrayEquals(expected.output, TestChannels.rewrite(rewriter, input));
    assertArrayEquals(expected.output, rewriteChunked(rewriter, input, () -> 3, 4));
  }

  @Test
  public void emptyInputGivesEmptyOutput() throws IOException {
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
    assertArrayEquals(new byte[0], TestChannels.rewrite(rewriter, new byte[0]));
    StingyWriter out = new StingyWriter(10, 0);
    RewriteStats stats = rewriter.rewrite(new ChunkedReader(new byte[0], () -> 1), out);
    assertEquals(new RewriteStats(0, 0, List.of(0L)), stats);
    assertEquals(0, out.calls);
  }

  @Test
  public void inputShorterThanTheTokenPassesThrough() throws IOException {
    assertEquals("AW", rewrite("AWS=GCP", "AW"));
    assertEquals("x", rewrite("AWS=GCP", "x"));
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
    assertEquals("AW", new String(rewriteChunked(rewriter, utf8("AW"), () -> 1, 6), UTF_8));
  }

  @Test
  public void tokenAtTheVeryStartAndEnd() {
    assertEquals("GCP", rewrite("AWS=GCP", "AWS"));
    assertEquals("GCP-GCP", rewrite("AWS=GCP", "AWS-AWS"));
    assertEquals("GCPGCP", rewrite("AWS=GCP", "AWSAWS"));
    assertEquals("AWGCP", rewrite("AWS=GCP", "AWAWS"));
  }

  @Test
  public void emptyReplacementDeletesTheToken() {
    assertEquals("xy", rewrite("AWS=", "xAWSy"));
    assertEquals("", rewrite("AWS=", "AWSAWS"));
    assertEquals("AWS", rewrite("X=", "AXWXS"));
  }

  @Test
  public void replacementLongerThanTheBuffersIsWrittenWhole() throws IOException {
    String big = "B".repeat(100);
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("a=" + big));
    assertEquals(
        "x" + big + big + "y",
        new String(rewriteChunked(rewriter, utf8("xaay"), () -> 1, 2), UTF_8));
  }

  @Test
  public void inputMuchLargerThanTheBufferIsStreamed() throws IOException {
    RewriteRules rules = RewriteRules.parse("AWS=GCP,Amazon=Google");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < 3 * TokenRewriter.DEFAULT_BUFFER_SIZE; i++) {
      sb.append(i % 3 == 0 ? "AWS" : "Amazon").append("-".repeat(i % 997));
    }
    byte[] input = utf8(sb.toString());
    ReferenceRewriter expected = new ReferenceRewriter(rules, input);
    StingyWriter out = new StingyWriter(Integer.MAX_VALUE, 0);
    RewriteStats stats =
        new TokenRewriter(rules).rewrite(new ChunkedReader(input, () -> 100_000), out);
    assertArrayEquals(expected.output, out.bytes());
    assertEquals(expected.counts, stats.replacementsPerRule());
  }

  // ---- stats and the caller's channels ----

  @Test
  public void statsCountBytesAndReplacementsPerRule() throws IOException {
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP,S3=,Amazon=Google"));
    byte[] input = utf8("AWS S3 Amazon AWS S3 S3 none");
    StingyWriter out = new StingyWriter(4, 0);
    RewriteStats stats = rewriter.rewrite(new ChunkedReader(input, () -> 2), out, 12);
    assertEquals("GCP  Google GCP   none", new String(out.bytes(), UTF_8));
    assertEquals(input.length, stats.bytesIn());
    assertEquals(out.bytes().length, stats.bytesOut());
    assertEquals(6, stats.replacements());
    assertEquals(List.of(2L, 3L, 1L), stats.replacementsPerRule());
  }

  @Test
  public void channelsAreNotClosed() throws IOException {
    ChunkedReader in = new ChunkedReader(utf8("AWS and AWS"), () -> 4);
    StingyWriter out = new StingyWriter(3, 2);
    new TokenRewriter(RewriteRules.parse("AWS=GCP")).rewrite(in, out);
    assertTrue(in.isOpen());
    assertTrue(out.isOpen());
    assertEquals("GCP and GCP", new String(out.bytes(), UTF_8));
  }

  @Test
  public void partialAndZeroByteWritesAreRetriedUntilAllIsWritten() throws IOException {
    byte[] input = utf8("AWS-".repeat(1000));
    StingyWriter out = new StingyWriter(7, 2);
    RewriteStats stats =
        new TokenRewriter(RewriteRules.parse("AWS=GCP"))
            .rewrite(new ChunkedReader(input, () -> 1000), out, 64);
    assertEquals("GCP-".repeat(1000), new String(out.bytes(), UTF_8));
    assertEquals(4000, stats.bytesOut());
  }

  @Test
  public void bufferSizeBelowTwiceTheLongestTokenIsRejected() throws IOException {
    TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse("AWS=GCP,Amazon=Google"));
    assertEquals(12, rewriter.minimumBufferSize());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                rewriter.rewrite(
                    new ChunkedReader(new byte[0], () -> 1), new StingyWriter(1, 0), 11));
    assertEquals(
        "buffer size 11 is below the minimum of 12 (twice the longest token)", e.getMessage());
    StingyWriter out = new StingyWriter(100, 0);
    rewriter.rewrite(new ChunkedReader(utf8("Amazon AWS"), () -> 1), out, 12);
    assertEquals("Google GCP", new String(out.bytes(), UTF_8));
  }

  @Test
  public void rewriterWorksAfterSerialization() throws Exception {
    TokenRewriter original = new TokenRewriter(RewriteRules.parse("AWS=GCP,S3=GCS"));
    TestChannels.rewrite(original, utf8("warm the tables up"));
    TokenRewriter copy = RewriteRulesTest.roundTrip(original);
    assertEquals(original.rules(), copy.rules());
    assertEquals("GCP GCS", new String(TestChannels.rewrite(copy, utf8("AWS S3")), UTF_8));
  }

  @Test
  public void statsAreAnImmutableSerializableValue() throws Exception {
    List<Long> counts = new ArrayList<>(List.of(1L, 2L));
    RewriteStats stats = new RewriteStats(10, 8, counts);
    counts.set(0, 9L);
    assertThrows(UnsupportedOperationException.class, () -> stats.replacementsPerRule().set(1, 9L));
    assertEquals(new RewriteStats(10, 8, List.of(1L, 2L)), stats);
    assertEquals(3, stats.replacements());
    assertEquals(stats, RewriteRulesTest.roundTrip(stats));
    assertThrows(IllegalArgumentException.class, () -> new RewriteStats(-1, 0, List.of(0L)));
    assertThrows(IllegalArgumentException.class, () -> new RewriteStats(0, 0, List.of(-1L)));
  }
}
