package dev.gcsrewrite.rewrite;

import java.io.ByteArrayOutputStream;

/**
 * Strict UTF-8 helpers for rendering and parsing rules.
 *
 * <p>Hand-written rather than {@code java.nio.charset} because rendering needs to know, byte by
 * byte, which sequences are well-formed (so that malformed bytes can be shown as {@code \xHH} and
 * still round-trip), and parsing must reject unpaired surrogates instead of silently writing {@code
 * ?}.
 */
final class Utf8 {
  private Utf8() {}

  /**
   * Returns the length (2 to 4) of the well-formed multi-byte sequence starting at {@code i}, or 0
   * if there is none. Overlong forms, surrogates and code points above U+10FFFF are not
   * well-formed, which is what makes decode-then-encode return the same bytes.
   */
  static int sequenceLength(byte[] b, int i) {
    int b0 = b[i] & 0xff;
    int n;
    int lo = 0x80;
    int hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 3;
      if (b0 == 0xe0) {
        lo = 0xa0;
      } else if (b0 == 0xed) {
        hi = 0x9f;
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 4;
      if (b0 == 0xf0) {
        lo = 0x90;
      } else if (b0 == 0xf4) {
        hi = 0x8f;
      }
    } else {
      return 0;
    }
    if (i + n > b.length) {
      return 0;
    }
    int b1 = b[i + 1] & 0xff;
    if (b1 < lo || b1 > hi) {
      return 0;
    }
    for (int k = 2; k < n; k++) {
      int bk = b[i + k] & 0xff;
      if (bk < 0x80 || bk > 0xbf) {
        return 0;
      }
    }
    return n;
  }

  /** Decodes a sequence already checked by {@link #sequenceLength}. */
  static int decode(byte[] b, int i, int n) {
    int cp = b[i] & (0xff >> (n + 1));
    for (int k = 1; k < n; k++) {
      cp = (cp << 6) | (b[i + k] & 0x3f);
    }
    return cp;
  }

  /** Appends the UTF-8 encoding of a valid code point (not a surrogate). */
  static void encode(int cp, ByteArrayOutputStream out) {
    if (cp < 0x80) {
      out.write(cp);
    } else if (cp < 0x800) {
      out.write(0xc0 | (cp >> 6));
      out.write(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out.write(0xe0 | (cp >> 12));
      out.write(0x80 | ((cp >> 6) & 0x3f));
      out.write(0x80 | (cp & 0x3f));
    } else {
      out.write(0xf0 | (cp >> 18));
      out.write(0x80 | ((cp >> 12) & 0x3f));
      out.write(0x80 | ((cp >> 6) & 0x3f));
      out.write(0x80 | (cp & 0x3f));
    }
  }
}
