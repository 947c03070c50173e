package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.FakeCloud.WORKER_SA;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;

/** {@code scripts/launch-template.sh} against the recording stand-in for gcloud. */
public class LaunchTemplateScriptTest {
  private static final String P = "--project=" + PROJECT;
  private static final String MAPPING = "mapping.json";
  private static final String QA_CONF = "options/qa.conf";

  @Rule public final FakeCloud cloud = new FakeCloud();

  @Test
  public void helpExitsZeroAndNamesTheVariables() {
    ScriptRun run = cloud.script("launch-template.sh").without("PROJECT_ID").run("--help");

    assertEquals(run.toString(), 0, run.status());
    for (String variable :
        List.of(
            "PROJECT_ID",
            "REGION",
            "SUBNET",
            "REDIS_HOST",
            "MAX_WORKERS",
            "WORKER_MACHINE_TYPE",
            "PIPELINE_OPTIONS_DIR",
            "TRANSFORM_MAPPING_FILE",
            "--update",
            "--job-name")) {
      assertThat(run.stdout(), containsString(variable));
    }
    assertThat(run.stdout(), containsString("roles/iam.serviceAccountUser"));
    assertNothingCalled(cloud);
  }

  @Test
  public void missingVariablesAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("launch-template.sh").without("PROJECT_ID").run("dev"),
        2,
        "launch-template: PROJECT_ID is not set; export PROJECT_ID=... (see --help)");
    assertOneLineError(
        cloud.script("launch-template.sh").without("REGION").run("dev", "--dry-run"),
        2,
        "launch-template: REGION is not set; export REGION=... (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void unknownOrMissingEnvironmentListsTheAvailableOnes() {
    assertOneLineError(
        cloud.script("launch-template.sh").run("staging"),
        2,
        "launch-template: unknown environment 'staging': no pipeline-options/staging.conf"
            + " (available: dev, prod)");
    assertOneLineError(
        cloud.script("launch-template.sh").run("--dry-run"),
        2,
        "launch-template: name the environment: launch-template.sh <env> (available: dev, prod)");
    assertOneLineError(
        cloud.script("launch-template.sh").run("local"),
        2,
        "launch-template: local.conf is for scripts/run-local.sh (available: dev, prod)");
    assertOneLineError(
        cloud.script("launch-template.sh").run("dev", "prod"),
        2,
        "launch-template: one environment only, not 'dev' and 'prod'");
    assertOneLineError(
        cloud.script("launch-template.sh").run("dev", "--job-name", "Not_A_Name"),
        2,
        "launch-template: job name 'Not_A_Name': lowercase letters, digits and hyphens,"
            + " starting with a letter");
    assertOneLineError(
        cloud.script("launch-template.sh").env("MAX_WORKERS", "many").run("dev"),
        2,
        "launch-template: MAX_WORKERS 'many' is not a number of workers");
    assertNothingCalled(cloud);
  }

  @Test
  public void dryRunPrintsTheStreamingLaunchAndCallsNothing() {
    ScriptRun run = cloud.script("launch-template.sh").run("dev", "--dry-run");

    assertEquals(run.toString(), 0, run.status());
    assertNothingCalled(cloud);
    assertEquals(run.toString(), 1, run.lines().size());
    List<String> words = ShellWords.split(run.lines().get(0));
    assertEquals(
        List.of("gcloud", "dataflow", "flex-template", "run", "gcs-rewrite-dev"),
        words.subList(0, 5));
    assertThat(
        words,
        hasItems(
            P,
            "--region=" + REGION,
            "--template-file-gcs-location=gs://"
                + PROJECT
                + "-gcs-rewrite-dataflow/templates/gcs-rewrite.json",
            "--enable-streaming-engine",
            "--disable-public-ips",
            "--service-account-email=" + WORKER_SA,
            "--subnetwork=regions/" + REGION + "/subnetworks/default",
            "--staging-location=gs://" + PROJECT + "-gcs-rewrite-dataflow/staging",
            "--temp-location=gs://" + PROJECT + "-gcs-rewrite-dataflow/temp",
            "--max-workers=5",
            "--worker-machine-type=n2-standard-2",
            "--additional-user-labels=app=gcs-rewrite,environment=dev"));
    assertFalse(words.contains("--update"));
    Map<String, String> parameters = ShellWords.gcloudDict(ShellWords.flag(words, "parameters"));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(
        "inputSubscription", "projects/" + PROJECT + "/subscriptions/gcs-rewrite-work-dev");
    expected.put("workBuckets", PROJECT + "-gcs-rewrite-work");
    expected.put("processedBucket", "gs://" + PROJECT + "-gcs-rewrite-processed-dev");
    expected.put("processingTopic", "projects/" + PROJECT + "/topics/gcs-rewrite-dev-processing");
    expected.put("completeTopic", "projects/" + PROJECT + "/topics/gcs-rewrite-dev-complete");
    expected.put("deadLetterTopic", "projects/" + PROJECT + "/topics/gcs-rewrite-dev-dead-letters");
    expected.put("redisHost", "<redis-host>");
    expected.put("redisPort", "6378");
    expected.put("redisTls", "true");
    expected.put("redisCluster", "false");
    expected.put(
        "redisPasswordSecret",
        "projects/" + PROJECT + "/secrets/gcs-rewrite-redis-auth/versions/latest");
    expected.put(
        "redisTlsCaSecret",
        "projects/" + PROJECT + "/secrets/gcs-rewrite-redis-ca/versions/latest");
    expected.put("rewriteRules", "AWS=GCP");
    expected.put("dedupeTtl", "1h");
    expected.put("claimLease", "10m");
    expected.put("claimRetention", "2d");
    expected.put("keyPrefix", "gcs-rewrite-dev:");
    assertEquals(expected, parameters);
  }

  @Test
  public void realRunLooksUpTheRedisHostThenLaunches() {
    ScriptRun run =
        cloud
            .script("launch-template.sh")
            .env("MAX_WORKERS", "12")
            .env("WORKER_MACHINE_TYPE", "n2-highmem-4")
            .env("SUBNET", "workers")
            .run("prod", "--job-name", "gcs-rewrite-prod-2");

    assertEquals(run.toString(), 0, run.status());
    List<List<String>> calls = cloud.calls();
    assertEquals(cloud.log(), 2, calls.size());
    assertEquals(
        List.of(
            "gcloud",
            "redis",
            "instances",
            "describe",
            "gcs-rewrite-claims",
            "--region=" + REGION,
            P,
            "--format=value(host)"),
        calls.get(0));
    List<String> launch = calls.get(1);
    assertEquals("gcs-rewrite-prod-2", launch.get(4));
    assertThat(
        launch,
        hasItems(
            "--max-workers=12",
            "--worker-machine-type=n2-highmem-4",
            "--subnetwork=regions/" + REGION + "/subnetworks/workers"));
    Map<String, String> parameters = ShellWords.gcloudDict(ShellWords.flag(launch, "parameters"));
    assertEquals("10.0.0.3", parameters.get("redisHost"));
    assertEquals(
        "gs://" + PROJECT + "-gcs-rewrite-dataflow/config/rewrite-rules.txt",
        parameters.get("rewriteRulesFile"));
  }

  @Test
  public void redisHostFromTheEnvironmentIsNotLookedUp() {
    ScriptRun run = cloud.script("launch-template.sh").env("REDIS_HOST", "10.9.8.7").run("dev");

    assertEquals(run.toString(), 0, run.status());
    List<List<String>> calls = cloud.calls();
    assertEquals(cloud.log(), 1, calls.size());
    assertEquals(
        "10.9.8.7",
        ShellWords.gcloudDict(ShellWords.flag(calls.get(0), "parameters")).get("redisHost"));
  }

  @Test
  public void updatePassesUpdateAndTheTransformMappings() throws IOException {
    ScriptRun run =
        updateWithMapping(
            "{\n  \"ClaimInRedis\": \"ClaimGenerations\",\n"
                + "  \"WriteProcessedObjects/LocateSources\" : \"WriteProcessedObjects/Find\"\n}\n");

    assertEquals(run.toString(), 0, run.status());
    List<String> launch = cloud.calls().get(cloud.calls().size() - 1);
    assertThat(launch, hasItems("--update", "gcs-rewrite-dev"));
    assertEquals(
        Map.of(
            "ClaimInRedis",
            "ClaimGenerations",
            "WriteProcessedObjects/LocateSources",
            "WriteProcessedObjects/Find"),
        ShellWords.gcloudDict(ShellWords.flag(launch, "transform-name-mappings")));
  }

  @Test
  public void updateWithTheEmptyMappingOmitsTheFlag() {
    ScriptRun run = cloud.script("launch-template.sh").run("dev", "--update", "--dry-run");

    assertEquals(run.toString(), 0, run.status());
    assertThat(run.stdout(), containsString(" --update"));
    assertThat(run.stdout(), not(containsString("--transform-name-mappings")));
  }

  @Test
  public void malformedMappingIsOneLine() throws IOException {
    assertOneLineError(
        updateWithMapping("{\"ClaimInRedis\": 3}"),
        2,
        "launch-template: " + cloud.folder().resolve(MAPPING) + ": expected a \"string\" at '3}'");
  }

  @Test
  public void parametersWithCommasAndEqualsSurviveAsOneParameterEach() throws IOException {
    String rules = "AWS=GCP,Amazon Web Services=Google Cloud,a\\=b=c\\,d";
    ScriptRun run =
        launchQa(
            "# rules with every separator gcloud knows\n"
                + "inputSubscription=projects/${PROJECT_ID}/subscriptions/gcs-rewrite-work\n"
                + "rewriteRules="
                + rules
                + "\n"
                + "keyPrefix=qa,x=y:\n");

    assertEquals(run.toString(), 0, run.status());
    List<String> launch = cloud.calls().get(0);
    assertEquals(
        Map.of(
            "inputSubscription",
            "projects/" + PROJECT + "/subscriptions/gcs-rewrite-work",
            "rewriteRules",
            rules,
            "keyPrefix",
            "qa,x=y:"),
        ShellWords.gcloudDict(ShellWords.flag(launch, "parameters")));
    assertThat(
        launch,
        hasItems("gcs-rewrite-qa", "--additional-user-labels=app=gcs-rewrite,environment=qa"));
  }

  @Test
  public void valueHoldingTheDelimiterIsRefused() throws IOException {
    assertOneLineError(
        launchQa("rewriteRules=~/=HOME\n"),
        2,
        "launch-template: "
            + cloud.folder().resolve(QA_CONF)
            + ": rewriteRules holds '~', which separates the entries given to gcloud");
    assertNothingCalled(cloud);
  }

  @Test
  public void unsetVariableInTheOptionSetIsOneLine() throws IOException {
    assertOneLineError(
        launchQa("redisHost=10.0.0.9\nprocessedBucket=gs://${PROCESSED_BUCKET_NAME}\n"),
        2,
        "launch-template: "
            + cloud.folder().resolve(QA_CONF)
            + ":2: ${PROCESSED_BUCKET_NAME} is not set; export PROCESSED_BUCKET_NAME first");
    assertNothingCalled(cloud);
  }

  /** {@code launch-template.sh dev --update} with {@code json} as its transform mapping file. */
  private ScriptRun updateWithMapping(String json) throws IOException {
    Path mapping = cloud.file(MAPPING, json);
    return cloud
        .script("launch-template.sh")
        .env("TRANSFORM_MAPPING_FILE", mapping.toString())
        .run("dev", "--update");
  }

  /**
   * {@code launch-template.sh qa}, with {@code conf} as qa's option set in a folder of its own: an
   * environment the repository does not ship, for option sets only a test would write.
   */
  private ScriptRun launchQa(String conf) throws IOException {
    Path options = cloud.file(QA_CONF, conf).getParent();
    return cloud
        .script("launch-template.sh")
        .env("PIPELINE_OPTIONS_DIR", options.toString())
        .run("qa");
  }
}
