package dev.gcsrewrite.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script from this package's resources, called by its SHA-1 so that a claim costs one small
 * {@code EVALSHA}, not the script's text; {@link RedisCalls} loads it when Redis does not know it
 * (first use, or after a restart emptied its script cache). What each script takes and replies is
 * in the javadoc of the {@link ClaimStore} method that runs it.
 */
enum RedisScript {
  CLAIM("claim.lua"),
  RENEW("renew.lua"),
  READ_RESULT("read_result.lua"),
  SETTLE("settle.lua"),
  RELEASE("release.lua"),
  REPAIR("repair.lua"),
  ANNOUNCE("announce.lua");

  private final String source;
  private final String sha;

  RedisScript(String resource) {
    // Redis scripts cannot import: the shared functions go in front of each script's text.
    this.source = read("lib.lua") + "\n" + read(resource);
    try {
      this.sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }

  private static String read(String resource) {
    try (InputStream in = RedisScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String source() {
    return source;
  }

  /** The SHA-1 Redis knows the script by. */
  String sha() {
    return sha;
  }
}
