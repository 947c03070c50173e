package dev.gcsrewrite.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.config.InvalidOptionException;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.List;
import java.util.Optional;
import org.junit.Test;

/**
 * The status command's Beam-free reading of the Redis options gives what Beam's reading gives, or
 * leaves the arguments to Beam.
 */
public class RedisArgumentsTest {
  private static final List<List<String>> READ_WITHOUT_BEAM =
      List.of(
          List.of("--redisHost=127.0.0.1"),
          List.of("--redisHost=10.0.0.3", "--redisPort=6378", "--redisTls=true"),
          List.of("--redisHost=redis.internal", "--redisTls", "--redisCluster"),
          List.of("--redisHost=h", "--redisTls=false", "--redisCluster=false"),
          List.of("--redisHost=h", "--keyPrefix=prod:"),
          List.of("--redisHost=h", "--keyPrefix=a:b c,d"),
          List.of(
              "--redisHost=h",
              "--redisTls=true",
              "--redisPasswordSecret=projects/p/secrets/auth/versions/latest",
              "--redisTlsCaSecret=file:/tmp/ca.pem"));

  private static final List<List<String>> LEFT_TO_BEAM =
      List.of(
          List.of("--redisHost=h", "--runner=DirectRunner"),
          List.of("--redisHost=h", "--redisPort=06379x"),
          List.of("--redisHost=h", "--redisTls=TRUE"),
          List.of("--redisHost=h", "--keyPrefix="),
          List.of("--redisHost=h", "--redisHost=g"),
          List.of("--redisHost"),
          List.of("--redishost=h"),
          List.of("redisHost=h"));

  @Test
  public void theRedisOptionsAloneReadAsBeamReadsThem() {
    for (List<String> args : READ_WITHOUT_BEAM) {
      Optional<RedisSettings> quick = RedisArguments.read(args);
      assertTrue("read without Beam: " + args, quick.isPresent());
      assertEquals(
          args.toString(), JobSettings.redis(Command.parseOptions(args)), quick.orElseThrow());
    }
  }

  @Test
  public void anythingElseIsLeftToBeam() {
    for (List<String> args : LEFT_TO_BEAM) {
      assertFalse("left to Beam: " + args, RedisArguments.read(args).isPresent());
    }
  }

  @Test
  public void aMalformedValueIsRefusedWithBeamsMessage() {
    for (List<String> args :
        List.of(
            List.of("--redisPort=1"),
            List.of("--redisHost=bad host!"),
            List.of("--redisHost=h", "--redisPort=70000"),
            List.of("--redisHost=h", "--redisTlsCaSecret=file:/ca.pem"),
            List.of("--redisHost=h", "--redisPasswordSecret=hunter2"),
            List.of("--redisHost=h", "--keyPrefix={tag}"))) {
      InvalidOptionException quick =
          assertThrows(InvalidOptionException.class, () -> RedisArguments.read(args));
      InvalidOptionException beams =
          assertThrows(
              InvalidOptionException.class, () -> JobSettings.redis(Command.parseOptions(args)));
      assertEquals(args.toString(), beams.getMessage(), quick.getMessage());
    }
  }
}
