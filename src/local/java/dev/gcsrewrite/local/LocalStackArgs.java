package dev.gcsrewrite.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The local stack's command line. Flags of its own are listed in {@link #USAGE}; any other {@code
 * --name=value} is passed to the pipeline as it is (e.g. {@code --rewriteRules=AWS=GCP,S3=GCS}). A
 * pipeline option given again replaces the earlier one: scripts/run-local.sh puts the options of
 * pipeline-options/local.conf first, so the user's own arguments win.
 *
 * @param files how many files the work generator writes
 * @param duplicates how many times each notification is published (new message IDs each time)
 * @param badMessages how many malformed messages are published, to show the dead-letter path
 * @param untilIdle exit when all work is done, instead of running until Ctrl-C
 * @param keep leave the stack running at the end and say how to reach it
 * @param fresh start from empty folders even when the last run in the work directory did not finish
 *     (by default that run is recovered)
 * @param workDir where buckets, outputs and logs go
 * @param emulatorPort the Pub/Sub emulator's port
 * @param redisPort Redis's port
 * @param serveStatusPort where serve-status listens on loopback ({@code --serve-status}), or -1 for
 *     none
 * @param bucket the work bucket's name
 * @param emulatorJar the emulator's jar, or null to ask gcloud
 * @param redisJar the embedded-redis jar holding the redis-server binaries
 * @param pipelineArgs options passed on to the pipeline, each name once, in the order first given
 */
public record LocalStackArgs(
    int files,
    int duplicates,
    int badMessages,
    boolean untilIdle,
    boolean keep,
    boolean fresh,
    Path workDir,
    int emulatorPort,
    int redisPort,
    int serveStatusPort,
    String bucket,
    @Nullable Path emulatorJar,
    Path redisJar,
    List<String> pipelineArgs) {

  /** serve-status's port when {@code --serve-status} names none. */
  public static final int SERVE_STATUS_PORT = 8080;

  public static final String USAGE =
      String.join(
          "\n",
          "usage: scripts/run-local.sh [--files N] [--duplicates K] [--bad-messages B]"
              + " [--until-idle] [--keep] [--fresh]",
          "           [--serve-status[=PORT]] [--work-dir DIR] [--emulator-port P] [--redis-port P]",
          "           [--bucket NAME] [--pipeline options]",
          "",
          "  --files N          files the work generator writes (default 99)",
          "  --duplicates K     publish each notification K times, new message IDs (default 2)",
          "  --bad-messages B   malformed messages to publish, for the dead-letter topic"
              + " (default 3)",
          "  --until-idle       exit once all work is done, with a summary",
          "  --keep             leave the stack running at the end and print how to reach it",
          "  --fresh            start from empty folders; by default a run that did not finish",
          "                     (killed, Ctrl-C before idle) is recovered: its buckets, outputs",
          "                     and Redis are kept and the reconcile command settles every file",
          "  --serve-status[=PORT]",
          "                     also run serve-status, the status over HTTP, on 127.0.0.1:PORT",
          "                     against the stack's Redis (default port 8080)",
          "  --work-dir DIR     buckets, outputs and logs (default target/local-run)",
          "  --emulator-port P  Pub/Sub emulator port (default 8085)",
          "  --redis-port P     Redis port (default 6379)",
          "  --bucket NAME      the work bucket (default workbucket01)",
          "  any other --option=value is passed to the pipeline, e.g. --rewriteRules=AWS=GCP,S3=GCS;",
          "  scripts/run-local.sh passes pipeline-options/local.conf's options first, so these win",
          "",
          "  environment: PUBSUB_EMULATOR_JAR (the emulator's jar; default: from gcloud),",
          "  PIPELINE_OPTIONS_DIR (where local.conf is; default: pipeline-options)");

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException with one line saying what is wrong
   */
  public static LocalStackArgs parse(String[] args) {
    int files = 99;
    int duplicates = 2;
    int badMessages = 3;
    boolean untilIdle = false;
    boolean keep = false;
    boolean fresh = false;
    Path workDir = Path.of("target", "local-run");
    int emulatorPort = 8085;
    int redisPort = 6379;
    int serveStatusPort = -1;
    String bucket = "workbucket01";
    Path emulatorJar = null;
    Path redisJar = null;
    List<String> pipelineArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      boolean inline = arg.contains("=");
      switch (name) {
        case "--until-idle" -> untilIdle = true;
        case "--keep" -> keep = true;
        case "--fresh" -> fresh = true;
        // Its value is optional, so only in the inline form: "--serve-status 9090" would be
        // ambiguous with a flag that takes none.
        case "--serve-status" ->
            serveStatusPort =
                inline
                    ? number(name, arg.substring(arg.indexOf('=') + 1), 1, 65535)
                    : SERVE_STATUS_PORT;
        case "--files",
            "--duplicates",
            "--bad-messages",
            "--work-dir",
            "--emulator-port",
            "--redis-port",
            "--bucket",
            "--emulator-jar",
            "--redis-jar" -> {
          String value;
          if (inline) {
            value = arg.substring(arg.indexOf('=') + 1);
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new IllegalArgumentException(name + " needs a value");
          }
          switch (name) {
            case "--files" -> files = number(name, value, 0, 100_000);
            case "--duplicates" -> duplicates = number(name, value, 1, 100);
            case "--bad-messages" -> badMessages = number(name, value, 0, 1000);
            case "--work-dir" -> workDir = Path.of(value);
            case "--emulator-port" -> emulatorPort = number(name, value, 1, 65535);
            case "--redis-port" -> redisPort = number(name, value, 1, 65535);
            case "--bucket" -> bucket = value;
            case "--emulator-jar" -> emulatorJar = Path.of(value);
            default -> redisJar = Path.of(value);
          }
        }
        default -> {
          if (!arg.startsWith("--") || !inline) {
            throw new IllegalArgumentException("unknown argument '" + arg + "'");
          }
          replaceOption(pipelineArgs, arg);
        }
      }
    }
    if (redisJar == null) {
      throw new IllegalArgumentException("--redis-jar is required (scripts/run-local.sh sets it)");
    }
    if (!bucket.matches("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("--bucket '" + bucket + "' is not a bucket name");
    }
    if (emulatorPort == redisPort) {
      throw new IllegalArgumentException("--emulator-port and --redis-port must differ");
    }
    if (serveStatusPort == emulatorPort || serveStatusPort == redisPort) {
      throw new IllegalArgumentException(
          "--serve-status's port must differ from --emulator-port and --redis-port");
    }
    return new LocalStackArgs(
        files,
        duplicates,
        badMessages,
        untilIdle,
        keep,
        fresh,
        workDir.toAbsolutePath().normalize(),
        emulatorPort,
        redisPort,
        serveStatusPort,
        bucket,
        emulatorJar,
        redisJar,
        List.copyOf(pipelineArgs));
  }

  /**
   * The value of pipeline option {@code name} among the pipeline arguments, if given.
   *
   * @param name the option's name, without {@code --}
   */
  public Optional<String> pipelineOption(String name) {
    String prefix = "--" + name + "=";
    return pipelineArgs.stream()
        .filter(arg -> arg.startsWith(prefix))
        .map(arg -> arg.substring(prefix.length()))
        .reduce((first, second) -> second);
  }

  /** Adds {@code --name=value}, in place of an earlier one of the same name. */
  private static void replaceOption(List<String> options, String option) {
    String prefix = option.substring(0, option.indexOf('=') + 1);
    for (int i = 0; i < options.size(); i++) {
      if (options.get(i).startsWith(prefix)) {
        options.set(i, option);
        return;
      }
    }
    options.add(option);
  }

  private static int number(String name, String value, int min, int max) {
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " takes a whole number from " + min + " to " + max + ", not '" + value + "'");
  }
}
