package dev.gcsrewrite.config;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The pipeline's public options: the same names are the flex template's parameters and the keys of
 * the option sets in {@code pipeline-options/}. Values are checked at start by {@link
 * dev.gcsrewrite.config.JobSettings}, which reports the first problem in one line naming the
 * option.
 */
public interface GcsRewriteOptions extends PipelineOptions, StreamingOptions {

  @Description(
      "Required. Pub/Sub subscription carrying the work bucket's Cloud Storage notifications, "
          + "e.g. projects/my-project/subscriptions/gcs-rewrite-work.")
  String getInputSubscription();

  void setInputSubscription(String value);

  @Description(
      "Required. Where outputs are written, as <processedBucket>/<objectId><outputSuffix>: "
          + "gs://bucket or gs://bucket/prefix, or a local folder in local runs.")
  String getProcessedBucket();

  void setProcessedBucket(String value);

  @Description(
      "Where sources are read from, as <bucketRoot><bucket>/<objectId>: gs:// on Google Cloud, "
          + "a local folder holding one folder per bucket in local runs.")
  @Default.String("gs://")
  String getBucketRoot();

  void setBucketRoot(String value);

  @Description(
      "Required on Dataflow. The work buckets, comma-separated (e.g. my-project-work): "
          + "notifications of any other bucket are dead-lettered (BucketNotAllowed) rather than "
          + "read; unset in local runs means any bucket. With several, each output goes below a "
          + "folder named after its bucket: <processedBucket>/<bucket>/<objectId><outputSuffix>.")
  String getWorkBuckets();

  void setWorkBuckets(String value);

  @Description(
      "Appended to each object's name to name its output. Objects below --processedBucket whose "
          + "names end with it are never processed, so the work and processed buckets may be the "
          + "same.")
  @Default.String(".processed")
  String getOutputSuffix();

  void setOutputSuffix(String value);

  @Description(
      "Tokens to rewrite, token=replacement[,token=replacement...]; default AWS=GCP. "
          + "Escapes: \\= \\, \\\\ \\# \\n \\r \\t \\xHH. Leftmost match wins, the longest token "
          + "at a position wins, replacements are not rescanned. Not with --rewriteRulesFile.")
  String getRewriteRules();

  void setRewriteRules(String value);

  @Description(
      "File (gs:// or local) with one token=replacement per line, same escapes, '#' starts a "
          + "comment line. Not with --rewriteRules.")
  String getRewriteRulesFile();

  void setRewriteRulesFile(String value);

  @Description(
      "Required. Topic for 'processing' audit events, e.g. projects/my-project/topics/processing.")
  String getProcessingTopic();

  void setProcessingTopic(String value);

  @Description(
      "Required. Topic for 'complete' (and 'skipped') audit events, "
          + "e.g. projects/my-project/topics/complete.")
  String getCompleteTopic();

  void setCompleteTopic(String value);

  @Description(
      "Required. Topic for messages the pipeline cannot handle: the original message plus "
          + "errorStage, errorType, errorMessage, originalMessageId and failedAt attributes.")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description(
      "How long a running pipeline remembers a generation it has seen, to drop duplicate "
          + "notifications before asking Redis: a duration such as 90s, 10m, 1h, 7d. "
          + "At least --claimLease.")
  @Default.String("1h")
  String getDedupeTtl();

  void setDedupeTtl(String value);

  @Description(
      "Required. Host of the Redis that holds the claims (the Memorystore instance's IP on "
          + "Google Cloud, 127.0.0.1 locally).")
  String getRedisHost();

  void setRedisHost(String value);

  @Description("Port of the Redis that holds the claims.")
  @Default.Integer(6379)
  int getRedisPort();

  void setRedisPort(int value);

  @Description("Connect to Redis with TLS (Memorystore in-transit encryption).")
  @Default.Boolean(false)
  boolean getRedisTls();

  void setRedisTls(boolean value);

  @Description(
      "Redis is a Redis Cluster (Memorystore for Redis Cluster): --redisHost and --redisPort name "
          + "one of its nodes (the discovery endpoint), from which the cluster's layout is read.")
  @Default.Boolean(false)
  boolean getRedisCluster();

  void setRedisCluster(boolean value);

  @Description(
      "The Redis AUTH string, by reference: a Secret Manager secret version "
          + "(projects/<p>/secrets/<s>/versions/<v>), or file:<path> for local runs. Read on each "
          + "worker when it connects; never in the job's options or logs. Unset: no AUTH.")
  String getRedisPasswordSecret();

  void setRedisPasswordSecret(String value);

  @Description(
      "With --redisTls: the PEM certificate(s) of the CA that signed the Redis server's "
          + "certificate (Memorystore's server CA), by reference like --redisPasswordSecret. "
          + "Unset: the JVM's default trust store.")
  String getRedisTlsCaSecret();

  void setRedisTlsCaSecret(String value);

  @Description(
      "How long a claim holds before another job may take the object over unless renewed: the "
          + "writer renews it while an object is written, so it need only outlast the time from "
          + "the claim to the start of the write (and a dead job's claims are taken over after "
          + "it). A duration such as 10m.")
  @Default.String("10m")
  String getClaimLease();

  void setClaimLease(String value);

  @Description(
      "How long settled claims (and each object's latest completed generation) are kept: how "
          + "long duplicates are recognised across relaunches. A duration such as 7d.")
  @Default.String("7d")
  String getClaimRetention();

  void setClaimRetention(String value);

  @Description("Prefix of every Redis key, so that several deployments can share one Redis.")
  @Default.String("gcs-rewrite:")
  String getKeyPrefix();

  void setKeyPrefix(String value);
}
