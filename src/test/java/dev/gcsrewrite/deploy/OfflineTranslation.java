package dev.gcsrewrite.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options under which the tests have the Dataflow runner translate a job offline (into a
 * template file, nothing submitted): one production-like environment, shared by the streaming job's
 * and the reconcile job's translation tests and the shuffle count, so that they describe the same
 * job.
 */
public final class OfflineTranslation {
  private OfflineTranslation() {}

  /**
   * The pipeline options of a job named {@code jobName} translated into {@code template}, staging
   * {@code jar} in {@code staging}; the input subscription is left to the caller (reconcile needs
   * none).
   */
  public static List<String> options(Path staging, Path template, Path jar, String jobName) {
    return new ArrayList<>(
        List.of(
            "--runner=DataflowRunner",
            "--project=test-project",
            "--region=europe-west1",
            "--gcpTempLocation=gs://test-project-gcs-rewrite-dataflow/temp",
            "--stagingLocation=" + staging,
            "--templateLocation=" + template,
            "--pathValidatorClass=org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator",
            "--credentialFactoryClass="
                + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory",
            "--filesToStage=" + jar,
            "--jobName=" + jobName,
            "--workBuckets=test-project-gcs-rewrite-work",
            "--processedBucket=gs://test-project-gcs-rewrite-processed",
            "--processingTopic=projects/test-project/topics/gcs-rewrite-processing",
            "--completeTopic=projects/test-project/topics/gcs-rewrite-complete",
            "--deadLetterTopic=projects/test-project/topics/gcs-rewrite-dead-letters",
            "--redisHost=10.0.0.3",
            "--redisPort=6378",
            "--redisTls=true",
            "--redisPasswordSecret=projects/test-project/secrets/auth/versions/latest"));
  }

  /** The streaming job's subscription option, which the streaming translations add. */
  public static final String INPUT_SUBSCRIPTION =
      "--inputSubscription=projects/test-project/subscriptions/gcs-rewrite-work";
}
