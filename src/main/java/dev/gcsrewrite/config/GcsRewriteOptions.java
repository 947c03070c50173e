package dev.gcsrewrite.config;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The pipeline's public options, and the one place each is described.
 *
 * <ul>
 *   <li>The names are the flex template's parameters and the keys of {@code pipeline-options/}.
 *   <li>{@code templates/metadata.json} and {@code docs/options.md} are generated from these
 *       annotations: {@code OptionsReferenceTest} fails when they drift.
 *   <li>A description opens with "Required." or "Required on Dataflow." when the option must be
 *       set, and says "Unset: ..." when leaving it out means what no default can say.
 *   <li>{@link JobSettings} checks the values at start, and names the first bad one in one line.
 * </ul>
 */
public interface GcsRewriteOptions extends PipelineOptions, StreamingOptions {
  /** {@code --redisPort}'s default; also read by the status command's Beam-free start. */
  int DEFAULT_REDIS_PORT = 6379;

  /** {@code --keyPrefix}'s default; also read by the status command's Beam-free start. */
  String DEFAULT_KEY_PREFIX = "gcs-rewrite:";

  @Description(
      "Required. Pub/Sub subscription carrying the work bucket's Cloud Storage notifications "
          + "(OBJECT_FINALIZE, payload format JSON_API_V1), projects/<p>/subscriptions/<s>.")
  @TemplateParameter(
      label = "Notification subscription",
      example = "projects/my-project/subscriptions/gcs-rewrite-work-prod",
      regexes = OptionPatterns.SUBSCRIPTION)
  String getInputSubscription();

  void setInputSubscription(String value);

  @Description(
      "Required. Where outputs are written, as <processedBucket>/<objectId><outputSuffix>: "
          + "gs://bucket or gs://bucket/prefix, or a local folder in local runs.")
  @TemplateParameter(
      label = "Processed bucket",
      example = "gs://my-project-gcs-rewrite-processed-prod",
      regexes = "^gs://" + OptionPatterns.BUCKET + "(/.*)?$")
  String getProcessedBucket();

  void setProcessedBucket(String value);

  @Description(
      "Where sources are read from, as <bucketRoot><bucket>/<objectId>: keep gs:// on Google "
          + "Cloud; a local folder holding one folder per bucket in local runs.")
  @TemplateParameter(
      label = "Bucket root",
      example = "gs://",
      regexes = "^gs://(" + OptionPatterns.BUCKET + "/.*)?$")
  @Default.String("gs://")
  String getBucketRoot();

  void setBucketRoot(String value);

  @Description(
      "Required on Dataflow. The work buckets, comma-separated: notifications of any other "
          + "bucket are dead-lettered (BucketNotAllowed), never read. With several, each output "
          + "goes below a folder named after its bucket, <processedBucket>/<bucket>/<objectId>"
          + "<outputSuffix>, so two buckets' objects of one name never share an output. "
          + "Unset (local runs only): any bucket.")
  @TemplateParameter(
      label = "Work buckets",
      example = "my-project-gcs-rewrite-work",
      regexes = "^" + OptionPatterns.BUCKET + "(," + OptionPatterns.BUCKET + ")*$")
  String getWorkBuckets();

  void setWorkBuckets(String value);

  @Description(
      "Appended to each object's name to name its output. Objects below --processedBucket whose "
          + "names end with it (and FileIO's .temp-beam files there) are never processed, so the "
          + "work and processed buckets may be the same; a user's notes.processed elsewhere is "
          + "processed like any object.")
  @TemplateParameter(
      label = "Output suffix",
      example = ".processed",
      regexes = "^[^/\\x00-\\x1f]{1,64}$")
  @Default.String(".processed")
  String getOutputSuffix();

  void setOutputSuffix(String value);

  @Description(
      "Tokens to rewrite, token=replacement[,token=replacement...]. "
          + "Escapes: \\= \\, \\\\ \\# \\n \\r \\t \\xHH. Leftmost match wins, the longest token "
          + "at a position wins, replacements are not rescanned. Not with --rewriteRulesFile. "
          + "Unset: AWS=GCP.")
  @TemplateParameter(
      label = "Rewrite rules",
      example = "AWS=GCP,Amazon=Google",
      regexes = "^.+=.*$")
  String getRewriteRules();

  void setRewriteRules(String value);

  @Description(
      "File (gs:// or local) with one token=replacement per line, same escapes, '#' starts a "
          + "comment line; read once at launch. Not with --rewriteRules.")
  @TemplateParameter(
      label = "Rewrite rules file",
      example = "gs://my-project-gcs-rewrite-dataflow/config/rules.txt",
      regexes = "^gs://" + OptionPatterns.BUCKET + "/.+$")
  String getRewriteRulesFile();

  void setRewriteRulesFile(String value);

  @Description("Required. Topic for 'processing' audit events, projects/<p>/topics/<t>.")
  @TemplateParameter(
      label = "Processing topic",
      example = "projects/my-project/topics/gcs-rewrite-prod-processing",
      regexes = OptionPatterns.TOPIC)
  String getProcessingTopic();

  void setProcessingTopic(String value);

  @Description("Required. Topic for 'complete' and 'skipped' audit events.")
  @TemplateParameter(
      label = "Complete topic",
      example = "projects/my-project/topics/gcs-rewrite-prod-complete",
      regexes = OptionPatterns.TOPIC)
  String getCompleteTopic();

  void setCompleteTopic(String value);

  @Description(
      "Required. Topic for messages the pipeline cannot handle: the original message plus "
          + "errorStage, errorType, errorMessage, originalMessageId and failedAt attributes.")
  @TemplateParameter(
      label = "Dead-letter topic",
      example = "projects/my-project/topics/gcs-rewrite-prod-dead-letters",
      regexes = OptionPatterns.TOPIC)
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description(
      "How long a running pipeline remembers a generation it has seen, to drop duplicate "
          + "notifications before asking Redis: a duration such as 90s, 10m, 1h, 7d. "
          + "At least --claimLease.")
  @TemplateParameter(
      label = "In-pipeline duplicate memory",
      example = "1h",
      regexes = OptionPatterns.DURATION)
  @Default.String("1h")
  String getDedupeTtl();

  void setDedupeTtl(String value);

  @Description(
      "Required. Host of the Redis that holds the claims (the Memorystore instance's IP on "
          + "Google Cloud, 127.0.0.1 locally).")
  @TemplateParameter(
      label = "Redis host",
      example = "10.12.0.3",
      regexes = OptionPatterns.REDIS_HOST)
  String getRedisHost();

  void setRedisHost(String value);

  @Description(
      "Port of the Redis that holds the claims: 6378 for Memorystore with in-transit "
          + "encryption, 6379 without.")
  @TemplateParameter(label = "Redis port", example = "6378", regexes = "^[0-9]{1,5}$")
  @Default.Integer(DEFAULT_REDIS_PORT)
  int getRedisPort();

  void setRedisPort(int value);

  @Description("Connect to Redis with TLS (Memorystore in-transit encryption).")
  @TemplateParameter(label = "Redis over TLS", example = "true", regexes = OptionPatterns.BOOLEAN)
  @Default.Boolean(false)
  boolean getRedisTls();

  void setRedisTls(boolean value);

  @Description(
      "Redis is a Redis Cluster (Memorystore for Redis Cluster): --redisHost and --redisPort name "
          + "one of its nodes (the discovery endpoint), from which the cluster's layout is read.")
  @TemplateParameter(label = "Redis Cluster", example = "true", regexes = OptionPatterns.BOOLEAN)
  @Default.Boolean(false)
  boolean getRedisCluster();

  void setRedisCluster(boolean value);

  @Description(
      "The Redis AUTH string, by reference: a Secret Manager secret version "
          + "(projects/<p>/secrets/<s>/versions/<v>), or file:<path> for local runs. Read on each "
          + "worker when it connects, and again when Redis refuses it (so name versions/latest and "
          + "rotate by adding a version); never in the job's options or logs. Unset: no AUTH.")
  @TemplateParameter(
      label = "Redis AUTH secret",
      example = "projects/my-project/secrets/gcs-rewrite-redis-auth/versions/latest",
      regexes = OptionPatterns.SECRET_VERSION)
  String getRedisPasswordSecret();

  void setRedisPasswordSecret(String value);

  @Description(
      "With --redisTls: the PEM certificate(s) of the CA that signed the Redis server's "
          + "certificate (Memorystore's server CA), by reference like --redisPasswordSecret. "
          + "Unset: the JVM's default trust store.")
  @TemplateParameter(
      label = "Redis CA certificate secret",
      example = "projects/my-project/secrets/gcs-rewrite-redis-ca/versions/latest",
      regexes = OptionPatterns.SECRET_VERSION)
  String getRedisTlsCaSecret();

  void setRedisTlsCaSecret(String value);

  @Description(
      "How long a claim holds before another job may take the object over unless renewed: the "
          + "writer renews it while an object is written, so it need only outlast the time from "
          + "the claim to the start of the write (and a dead job's claims are taken over after "
          + "it). A duration such as 10m.")
  @TemplateParameter(label = "Claim lease", example = "10m", regexes = OptionPatterns.DURATION)
  @Default.String("10m")
  String getClaimLease();

  void setClaimLease(String value);

  @Description(
      "How long settled claims (and each object's latest completed generation) are kept: how "
          + "long duplicates are recognised across relaunches. A duration such as 7d.")
  @TemplateParameter(label = "Claim retention", example = "7d", regexes = OptionPatterns.DURATION)
  @Default.String("7d")
  String getClaimRetention();

  void setClaimRetention(String value);

  @Description("Prefix of every Redis key, so that several deployments can share one Redis.")
  @TemplateParameter(
      label = "Redis key prefix",
      example = "gcs-rewrite-prod:",
      regexes = "^[^\\x00-\\x1f]{0,100}$")
  @Default.String(DEFAULT_KEY_PREFIX)
  String getKeyPrefix();

  void setKeyPrefix(String value);
}
