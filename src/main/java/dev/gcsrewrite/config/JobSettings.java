package dev.gcsrewrite.config;

import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.StorageNames;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.Secrets;
import dev.gcsrewrite.rewrite.RewriteRules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The options, checked and turned into the plain values the pipeline's steps take.
 *
 * <p>Everything that can be wrong with a value is found here, before a pipeline is built, and
 * reported as an {@link InvalidOptionException} naming the option: a job that starts is a job whose
 * configuration makes sense. Beam's {@code @Validation.Required} is not used: its message is
 * several lines, and the reconcile and status commands need only some of the required options.
 *
 * @param inputSubscription {@code projects/<p>/subscriptions/<s>}
 * @param locations where sources are read and outputs written
 * @param rules the rewrite rules
 * @param processingTopic {@code projects/<p>/topics/<t>}
 * @param completeTopic {@code projects/<p>/topics/<t>}
 * @param deadLetterTopic {@code projects/<p>/topics/<t>}
 * @param dedupeTtl how long DropSeenGenerations remembers a generation
 * @param jobName the Beam job name, recorded in audit events
 * @param redis how to reach the Redis holding the claims
 * @param claims the claim policy: owner (the job name), lease, retention
 */
public record JobSettings(
    String inputSubscription,
    ObjectLocations locations,
    RewriteRules rules,
    String processingTopic,
    String completeTopic,
    String deadLetterTopic,
    Duration dedupeTtl,
    String jobName,
    RedisSettings redis,
    ClaimSettings claims) {

  /** The rule used when neither --rewriteRules nor --rewriteRulesFile is set. */
  public static final String DEFAULT_RULES = "AWS=GCP";

  /** Largest {@code --rewriteRulesFile} read: a rules file is a short list, not data. */
  public static final int MAX_RULES_FILE_BYTES = 1 << 20;

  private static final Pattern SUBSCRIPTION = Pattern.compile(OptionPatterns.SUBSCRIPTION);
  private static final Pattern TOPIC = Pattern.compile(OptionPatterns.TOPIC);
  private static final Pattern REDIS_HOST = Pattern.compile(OptionPatterns.REDIS_HOST);
  private static final int MAX_SUFFIX_BYTES = 64;

  /**
   * Checks {@code options} and derives the settings.
   *
   * @throws InvalidOptionException for the first option that is missing or malformed
   */
  public static JobSettings from(GcsRewriteOptions options) {
    return from(options, List.of());
  }

  /**
   * Checks {@code options} and derives the settings of a job that takes over the live claims of
   * {@code stoppedJobs} at once (see {@link ClaimSettings#stoppedOwners}).
   *
   * @throws IllegalArgumentException if one of them is this job; an {@link InvalidOptionException}
   *     for the first option that is missing or malformed
   */
  public static JobSettings from(GcsRewriteOptions options, List<String> stoppedJobs) {
    return from(options, stoppedJobs, JobSettings::readRulesFile);
  }

  /** As {@link #from(GcsRewriteOptions, List)}, reading a rules file with {@code rulesFiles}. */
  static JobSettings from(
      GcsRewriteOptions options, List<String> stoppedJobs, Function<String, String> rulesFiles) {
    FileSystems.setDefaultPipelineOptions(options);
    String subscription =
        pubsubName("inputSubscription", options.getInputSubscription(), "subscription");
    String processedBucket = directory("processedBucket", options.getProcessedBucket(), false);
    String root = required("bucketRoot", options.getBucketRoot()).trim();
    String bucketRoot = root.equals("gs://") ? root : directory("bucketRoot", root, true);
    String suffix = required("outputSuffix", options.getOutputSuffix());
    check(
        !suffix.contains("/") && !hasControlCharacters(suffix),
        "outputSuffix",
        "'%s' must not contain '/' or control characters",
        suffix);
    check(
        suffix.getBytes(StandardCharsets.UTF_8).length <= MAX_SUFFIX_BYTES,
        "outputSuffix",
        "is longer than %d bytes",
        MAX_SUFFIX_BYTES);
    List<String> workBuckets = workBuckets(options);
    RewriteRules rules =
        rules(options.getRewriteRules(), options.getRewriteRulesFile(), rulesFiles);
    String processing = pubsubName("processingTopic", options.getProcessingTopic(), "topic");
    String complete = pubsubName("completeTopic", options.getCompleteTopic(), "topic");
    String deadLetters = pubsubName("deadLetterTopic", options.getDeadLetterTopic(), "topic");
    Duration dedupeTtl = duration("dedupeTtl", options.getDedupeTtl());
    RedisSettings redis = redis(options);
    Duration lease = duration("claimLease", options.getClaimLease());
    Duration retention = duration("claimRetention", options.getClaimRetention());
    check(
        !dedupeTtl.isShorterThan(lease),
        "dedupeTtl",
        "%s is shorter than --claimLease (%s): a duplicate could then find this job's own claim"
            + " still in progress",
        options.getDedupeTtl(),
        options.getClaimLease());
    check(
        retention.isLongerThan(lease),
        "claimRetention",
        "%s must be longer than --claimLease (%s)",
        options.getClaimRetention(),
        options.getClaimLease());
    return new JobSettings(
        subscription,
        new ObjectLocations(bucketRoot, processedBucket, suffix, workBuckets),
        rules,
        processing,
        complete,
        deadLetters,
        dedupeTtl,
        options.getJobName(),
        redis,
        new ClaimSettings(options.getJobName(), lease, retention, stoppedJobs));
  }

  /**
   * Checks and derives only the Redis options, for the commands that read the claims without
   * running a pipeline.
   *
   * @throws InvalidOptionException for the first Redis option that is missing or malformed
   */
  public static RedisSettings redis(GcsRewriteOptions options) {
    return redis(
        options.getRedisHost(),
        options.getRedisPort(),
        options.getRedisTls(),
        options.getRedisCluster(),
        options.getRedisPasswordSecret(),
        options.getRedisTlsCaSecret(),
        options.getKeyPrefix());
  }

  /**
   * The Redis options' values checked, however they were read: by Beam for a pipeline, or without
   * it for the status command's quick start.
   */
  public static RedisSettings redis(
      @Nullable String redisHost,
      int port,
      boolean tls,
      boolean cluster,
      @Nullable String passwordSecret,
      @Nullable String tlsCaSecret,
      @Nullable String keyPrefix) {
    String host = required("redisHost", redisHost).trim();
    check(
        REDIS_HOST.matcher(host).matches(),
        "redisHost",
        "'%s' is not a host name or address",
        host);
    check(port >= 1 && port <= 65535, "redisPort", "%d is not a port (1-65535)", port);
    String password = secretReference("redisPasswordSecret", passwordSecret);
    String ca = secretReference("redisTlsCaSecret", tlsCaSecret);
    check(ca == null || tls, "redisTlsCaSecret", "is used only with --redisTls=true");
    String prefix = keyPrefix == null ? "" : keyPrefix;
    check(!hasControlCharacters(prefix), "keyPrefix", "must not contain control characters");
    // The keys' cluster hash tag is the first {...}: braces here would move it.
    check(
        !prefix.contains("{") && !prefix.contains("}"), "keyPrefix", "must not contain '{' or '}'");
    return new RedisSettings(host, port, tls, password, ca, prefix, cluster);
  }

  /** Beam's {@code checkArgument}, for an option: the problem is formatted only to be thrown. */
  private static void check(boolean valid, String option, String problem, Object... args) {
    if (!valid) {
      throw new InvalidOptionException(
          option, args.length == 0 ? problem : String.format(problem, args));
    }
  }

  private static @Nullable String secretReference(String option, @Nullable String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    // Never echo the value: it may be a password pasted where its reference belongs.
    check(
        Secrets.isReference(value),
        option,
        "is not a secret reference; use projects/<p>/secrets/<s>/versions/<v> or file:<path>");
    return value;
  }

  private static String required(String option, @Nullable String value) {
    check(value != null && !value.isBlank(), option, "is required");
    return value;
  }

  private static boolean hasControlCharacters(String value) {
    return value.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** A Pub/Sub name of {@code kind}: {@code subscription} or {@code topic}. */
  private static String pubsubName(String option, @Nullable String value, String kind) {
    String name = required(option, value);
    check(
        (kind.equals("topic") ? TOPIC : SUBSCRIPTION).matcher(name).matches(),
        option,
        "'%s' is not a Pub/Sub %s name; expected projects/<project>/%ss/<name>",
        name,
        kind,
        kind);
    return name;
  }

  private static Duration duration(String option, @Nullable String value) {
    String text = required(option, value);
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(option, e.getMessage());
    }
  }

  /**
   * A folder as a Beam path ending in "/": {@code gs://bucket[/prefix]}, another registered file
   * system, or a local folder, made absolute; it must exist when {@code mustExist}.
   */
  private static String directory(String option, @Nullable String value, boolean mustExist) {
    String path = required(option, value).trim();
    if (path.startsWith("gs://")) {
      String problem = StorageNames.bucketProblem(path.substring(5).split("/", 2)[0]);
      check(problem == null, option, "'%s': %s", path, problem);
      return path.endsWith("/") ? path : path + "/";
    }
    if (path.matches("[A-Za-z][A-Za-z0-9+.-]*://.*") && !path.startsWith("file://")) {
      try {
        return FileSystems.matchNewResource(path, true).toString();
      } catch (IllegalArgumentException e) {
        throw new InvalidOptionException(
            option,
            "'"
                + path
                + "' uses a file system this build does not have; use gs:// or a local folder");
      }
    }
    Path local = Path.of(path.replaceFirst("^file://", "")).toAbsolutePath().normalize();
    check(!mustExist || Files.isDirectory(local), option, "local folder %s does not exist", local);
    check(
        !Files.exists(local) || Files.isDirectory(local),
        option,
        "%s is a file, not a folder",
        local);
    return local + "/";
  }

  /**
   * The allow-list of work buckets. Required on Dataflow, where a notification of another bucket
   * would make workers read it; optional elsewhere (empty: any bucket).
   */
  private static List<String> workBuckets(GcsRewriteOptions options) {
    String value = options.getWorkBuckets();
    if (value == null || value.isBlank()) {
      boolean dataflow =
          options.getRunner() != null && options.getRunner().getSimpleName().contains("Dataflow");
      check(
          !dataflow,
          "workBuckets",
          "is required on Dataflow: name the bucket(s) whose objects to process");
      return List.of();
    }
    List<String> buckets = Arrays.stream(value.split(",", -1)).map(String::trim).toList();
    for (String bucket : buckets) {
      String problem = StorageNames.bucketProblem(bucket);
      check(problem == null, "workBuckets", "%s", problem);
    }
    return buckets;
  }

  private static RewriteRules rules(
      @Nullable String spec, @Nullable String file, Function<String, String> rulesFiles) {
    check(
        spec == null || file == null,
        "rewriteRules",
        "set either --rewriteRules or --rewriteRulesFile, not both");
    String option = file == null ? "rewriteRules" : "rewriteRulesFile";
    String text = file == null ? null : rulesFiles.apply(file);
    try {
      return text == null
          ? RewriteRules.parse(spec == null ? DEFAULT_RULES : spec)
          : RewriteRules.parseFile(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidOptionException(option, (file == null ? "" : file + ": ") + e.getMessage());
    }
  }

  /**
   * Reads a {@code --rewriteRulesFile} (gs:// or local, through Beam's file systems) once, at
   * launch, as strict UTF-8.
   *
   * @throws InvalidOptionException when it is empty, unreadable, too large or not UTF-8
   */
  private static String readRulesFile(String file) {
    check(!file.isBlank(), "rewriteRulesFile", "is empty");
    byte[] content;
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file, false)))) {
      content = in.readNBytes(MAX_RULES_FILE_BYTES + 1);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidOptionException("rewriteRulesFile", "cannot read " + file + ": " + e);
    }
    check(
        content.length <= MAX_RULES_FILE_BYTES,
        "rewriteRulesFile",
        "%s is larger than %d bytes",
        file,
        MAX_RULES_FILE_BYTES);
    try {
      // A new decoder reports malformed input rather than replacing it.
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidOptionException(
          "rewriteRulesFile", file + " is not UTF-8 text; write raw bytes as \\xHH");
    }
  }
}
