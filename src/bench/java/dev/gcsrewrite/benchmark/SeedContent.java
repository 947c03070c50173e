package dev.gcsrewrite.benchmark;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Random;

/**
 * Content like the tutorial's seed files, for benchmarks: lines of base64 text (76 characters and a
 * line feed) where about one line in seven (one per ~500 bytes) has a token written over it, mostly
 * {@code AWS}, sometimes {@code Amazon} or {@code S3}.
 */
public final class SeedContent {
  /** Characters per line, before the line feed. */
  public static final int LINE_CHARS = 76;

  private SeedContent() {}

  /** A direct (off-heap) block of {@code size} bytes of seed content, the same for a seed. */
  public static ByteBuffer block(long size, long seed) {
    Random random = new Random(seed);
    Base64.Encoder base64 = Base64.getEncoder();
    byte[] raw = new byte[LINE_CHARS / 4 * 3];
    byte[][] tokens = {
      "AWS".getBytes(US_ASCII), "Amazon".getBytes(US_ASCII), "S3".getBytes(US_ASCII)
    };
    ByteBuffer block = ByteBuffer.allocateDirect(Math.toIntExact(size));
    while (block.remaining() > LINE_CHARS) {
      random.nextBytes(raw);
      byte[] line = base64.encode(raw);
      if (random.nextInt(500) < LINE_CHARS + 1) {
        int pick = random.nextInt(10);
        byte[] token = tokens[pick < 8 ? 0 : pick - 7];
        System.arraycopy(token, 0, line, random.nextInt(LINE_CHARS - token.length), token.length);
      }
      block.put(line).put((byte) '\n');
    }
    while (block.hasRemaining()) {
      block.put((byte) '\n');
    }
    return block.flip();
  }
}
