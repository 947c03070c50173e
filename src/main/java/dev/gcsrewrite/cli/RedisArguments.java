package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the Redis options without Beam, so that a lookup starts in a fraction of a second.
 *
 * <p>Beam's {@code PipelineOptionsFactory} scans every options interface on the class path before
 * it reads one argument: in the bundled jar that alone is most of a second, and it was most of the
 * status command's 2.8 s. A lookup needs only the Redis options, so when the arguments are exactly
 * those, each once and in the form Beam reads them the same way ({@code --name=value}, a whole
 * port, {@code true} or {@code false}), they are read here and checked by the same {@link
 * JobSettings#redis} as a pipeline's. Anything else (another option, a value Beam might read
 * differently, a typo) goes to Beam, so that what is accepted and every message about what is not
 * stay Beam's.
 */
final class RedisArguments {
  private static final Set<String> TEXT =
      Set.of("redisHost", "redisPasswordSecret", "redisTlsCaSecret", "keyPrefix");
  private static final Set<String> SWITCHES = Set.of("redisTls", "redisCluster");
  private static final String PORT = "redisPort";

  private RedisArguments() {}

  /**
   * The settings {@code args} give, checked; empty when Beam must read them.
   *
   * @throws dev.gcsrewrite.config.InvalidOptionException as {@link JobSettings#redis} does
   */
  static Optional<RedisSettings> read(List<String> args) {
    Map<String, String> values = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        return Optional.empty();
      }
      String[] flag = arg.substring(2).split("=", 2);
      String name = flag[0];
      boolean known = TEXT.contains(name) || SWITCHES.contains(name) || name.equals(PORT);
      if (!known || values.containsKey(name)) {
        return Optional.empty();
      }
      if (flag.length == 1) {
        if (!SWITCHES.contains(name)) {
          return Optional.empty();
        }
        values.put(name, "true");
      } else if (flag[1].isEmpty() || !readsAsBeamDoes(name, flag[1])) {
        return Optional.empty();
      } else {
        values.put(name, flag[1]);
      }
    }
    return Optional.of(
        JobSettings.redis(
            values.get("redisHost"),
            Integer.parseInt(
                values.getOrDefault(PORT, Integer.toString(GcsRewriteOptions.DEFAULT_REDIS_PORT))),
            Boolean.parseBoolean(values.get("redisTls")),
            Boolean.parseBoolean(values.get("redisCluster")),
            values.get("redisPasswordSecret"),
            values.get("redisTlsCaSecret"),
            values.getOrDefault("keyPrefix", GcsRewriteOptions.DEFAULT_KEY_PREFIX)));
  }

  private static boolean readsAsBeamDoes(String name, String value) {
    if (name.equals(PORT)) {
      return value.matches("[0-9]{1,5}");
    }
    if (SWITCHES.contains(name)) {
      return value.equals("true") || value.equals("false");
    }
    return true;
  }
}
