package dev.gcsrewrite.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A Lua script of this package's resources ({@code <name>.lua}), called by its SHA-1 so that a
 * claim costs one small {@code EVALSHA}; {@link RedisCalls} loads it when Redis does not know it.
 * The {@link ClaimStore} method that runs a script tables its keys, arguments and replies.
 */
enum RedisScript {
  CLAIM,
  RENEW,
  READ_RESULT,
  SETTLE,
  RELEASE,
  REPAIR,
  ANNOUNCE;

  /** The text Redis runs: scripts cannot import, so the shared functions and key check go first. */
  final String source = read("lib.lua") + "\n" + read(operation() + ".lua");

  /** The SHA-1 Redis knows the script by. */
  final String sha;

  RedisScript() {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha = HexFormat.of().formatHex(sha1.digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }

  /** The script's name, for its resource and for logs. */
  String operation() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static String read(String resource) {
    try (InputStream in = RedisScript.class.getResourceAsStream(resource)) {
      return new String(
          Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
