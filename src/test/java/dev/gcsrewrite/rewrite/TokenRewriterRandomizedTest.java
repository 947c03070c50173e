package dev.gcsrewrite.rewrite;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.rewrite.TestChannels.ChunkedReader;
import dev.gcsrewrite.rewrite.TestChannels.StingyWriter;
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

  private static void compareWithReference(long seed, byte[] alphabet, int iterations)
      throws IOException {
    Random random = new Random(seed);
    for (int iteration = 0; iteration < iterations; iteration++) {
      RewriteRules rules = randomRules(random, alphabet);
      byte[] input = randomBytes(random, alphabet, random.nextInt(random.nextBoolean() ? 40 : 400));
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
      assertArrayEquals(context, expected.output, rewriter.rewrite(input));
      assertArrayEquals(context, expected.counts, stats.replacementsPerRule());
      assertEquals(context, input.length, stats.bytesIn());
      assertEquals(context, expected.output.length, stats.bytesOut());
    }
  }

  /** One to five rules; often a token is a prefix or extension of another one. */
  private static RewriteRules randomRules(Random random, byte[] alphabet) {
    int n = 1 + random.nextInt(5);
    List<byte[]> tokens = new ArrayList<>();
    List<byte[]> replacements = new ArrayList<>();
    while (tokens.size() < n) {
      byte[] token;
      if (!tokens.isEmpty() && random.nextBoolean()) {
        byte[] other = tokens.get(random.nextInt(tokens.size()));
        token =
            random.nextBoolean() && other.length > 1
                ? Arrays.copyOf(other, 1 + random.nextInt(other.length - 1))
                : concat(other, randomBytes(random, alphabet, 1 + random.nextInt(2)));
      } else {
        token = randomBytes(random, alphabet, 1 + random.nextInt(5));
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
