package dev.gcsrewrite.rewrite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.rewrite.TestChannels.ChunkedReader;
import dev.gcsrewrite.rewrite.TestChannels.StingyWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * Compares the engine with {@link ReferenceRewriter} on many random cases. Small alphabets make
 * matches, overlaps and shared prefixes frequent; random read sizes, buffer sizes and partial
 * writes move every boundary around. Seeds are fixed so that a failure can be replayed.
 */
public class TokenRewriterRandomizedTest {

  private static final byte[] TEXT = {'a', 'b', 'c'};
  private static final byte[] MIXED = {'a', 'b', 0, (byte) 0xff, (byte) 0xc3, (byte) 0xa9};

  @Test
  public void matchesTheReferenceOnATwoLetterAlphabet() throws IOException {
    compareWithReference(1L, new byte[] {'a', 'b'}, 3000);
  }

  @Test
  public void matchesTheReferenceOnAThreeLetterAlphabet() throws IOException {
    compareWithReference(2L, TEXT, 3000);
  }

  @Test
  public void matchesTheReferenceOnBinaryBytes() throws IOException {
    compareWithReference(3L, MIXED, 3000);
  }

  @Test
  public void matchesTheReferenceWithLongTokens() throws IOException {
    // Long shortest tokens: the filter samples byte pairs deep inside the tokens.
    compareWithReference(4L, new byte[] {'a', 'b'}, 1500, 12, 40);
  }

  private static void compareWithReference(long seed, byte[] alphabet, int iterations)
      throws IOException {
    compareWithReference(seed, alphabet, iterations, 1, 5);
  }

  private static void compareWithReference(
      long seed, byte[] alphabet, int iterations, int minLength, int maxLength) throws IOException {
    Random random = new Random(seed);
    long replacements = 0;
    for (int iteration = 0; iteration < iterations; iteration++) {
      RewriteRules rules = randomRules(random, alphabet, minLength, maxLength);
      int length = random.nextInt((random.nextBoolean() ? 8 : 80) * maxLength);
      byte[] input =
          random.nextBoolean()
              ? randomBytes(random, alphabet, length)
              : randomPieces(random, alphabet, rules, length);
      TokenRewriter rewriter = new TokenRewriter(rules);
      int bufferSize =
          rewriter.minimumBufferSize() + (random.nextInt(4) == 0 ? 4096 : random.nextInt(20));
      int maxChunk = 1 + random.nextInt(random.nextBoolean() ? 4 : 2 * bufferSize);
      StingyWriter out =
          new StingyWriter(
              1 + random.nextInt(64), random.nextBoolean() ? 0 : 2 + random.nextInt(3));
      RewriteStats stats =
          rewriter.rewrite(
              new ChunkedReader(input, () -> 1 + random.nextInt(maxChunk)), out, bufferSize);

      ReferenceRewriter expected = new ReferenceRewriter(rules, input);
      String context =
          "seed "
              + seed
              + ", iteration "
              + iteration
              + ", rules "
              + rules
              + ", buffer "
              + bufferSize
              + ", input "
              + Arrays.toString(input);
      assertArrayEquals(context, expected.output, out.bytes());
      assertArrayEquals(context, expected.output, TestChannels.rewrite(rewriter, input));
      assertEquals(context, expected.counts, stats.replacementsPerRule());
      assertEquals(context, input.length, stats.bytesIn());
      assertEquals(context, expected.output.length, stats.bytesOut());
      replacements += stats.replacements();
    }
    // Guards the generator: a comparison that never sees a match would prove little.
    assertTrue("only " + replacements + " replacements", replacements > 2L * iterations);
  }

  /**
   * One to five rules with tokens of {@code minLength} to {@code maxLength} bytes, or two more for
   * extensions; often a token is a prefix or extension of another one.
   */
  private static RewriteRules randomRules(
      Random random, byte[] alphabet, int minLength, int maxLength) {
    int n = 1 + random.nextInt(5);
    List<byte[]> tokens = new ArrayList<>();
    List<byte[]> replacements = new ArrayList<>();
    while (tokens.size() < n) {
      byte[] token;
      if (!tokens.isEmpty() && random.nextBoolean()) {
        byte[] other = tokens.get(random.nextInt(tokens.size()));
        token =
            random.nextBoolean() && other.length > minLength
                ? Arrays.copyOf(other, minLength + random.nextInt(other.length - minLength))
                : concat(other, randomBytes(random, alphabet, 1 + random.nextInt(2)));
      } else {
        token =
            randomBytes(random, alphabet, minLength + random.nextInt(maxLength - minLength + 1));
      }
      byte[] candidate = token;
      if (tokens.stream().noneMatch(t -> Arrays.equals(t, candidate))) {
        tokens.add(token);
        // Replacements from the same alphabet: rescanning them would show.
        replacements.add(randomBytes(random, alphabet, random.nextInt(6)));
      }
    }
    return RewriteRules.of(tokens, replacements);
  }

  /** Input made of tokens, parts of tokens and random bytes, so that long tokens match too. */
  private static byte[] randomPieces(
      Random random, byte[] alphabet, RewriteRules rules, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < length) {
      byte[] token = rules.token(random.nextInt(rules.size()));
      switch (random.nextInt(4)) {
        case 0 -> out.writeBytes(token);
        case 1 -> out.write(token, 0, random.nextInt(token.length));
        case 2 -> {
          int from = random.nextInt(token.length);
          out.write(token, from, token.length - from);
        }
        default -> out.writeBytes(randomBytes(random, alphabet, 1 + random.nextInt(4)));
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static byte[] randomBytes(Random random, byte[] alphabet, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return b;
  }
}
