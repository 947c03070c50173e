package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.AUTH_STRING;
import static dev.gcsrewrite.scripts.FakeCloud.CA_CERT;
import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.FakeCloud.STORAGE_AGENT;
import static dev.gcsrewrite.scripts.FakeCloud.WORKER_SA;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertInOrder;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNone;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static dev.gcsrewrite.scripts.ScriptAssertions.count;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;

/** {@code scripts/setup-gcp.sh} against the recording stand-in for gcloud. */
public class SetupGcpScriptTest {
  private static final String WORK = "gs://" + PROJECT + "-gcs-rewrite-work";
  private static final String PROCESSED_DEV = "gs://" + PROJECT + "-gcs-rewrite-processed-dev";
  private static final String PROCESSED_PROD = "gs://" + PROJECT + "-gcs-rewrite-processed-prod";
  private static final String DATAFLOW = "gs://" + PROJECT + "-gcs-rewrite-dataflow";
  private static final String P = "--project=" + PROJECT;

  /** Every grant to the worker: service and resource, role. Nothing more, nothing broader. */
  private static final Set<String> WORKER_GRANTS =
      Set.of(
          "projects " + PROJECT + " roles/dataflow.worker",
          "storage buckets " + WORK + " roles/storage.objectViewer",
          "storage buckets " + PROCESSED_DEV + " roles/storage.objectAdmin",
          "storage buckets " + PROCESSED_PROD + " roles/storage.objectAdmin",
          "storage buckets " + DATAFLOW + " roles/storage.objectAdmin",
          "pubsub subscriptions gcs-rewrite-work-dev roles/pubsub.subscriber",
          "pubsub subscriptions gcs-rewrite-work-dev roles/pubsub.viewer",
          "pubsub subscriptions gcs-rewrite-work-prod roles/pubsub.subscriber",
          "pubsub subscriptions gcs-rewrite-work-prod roles/pubsub.viewer",
          "pubsub topics gcs-rewrite-dev-processing roles/pubsub.publisher",
          "pubsub topics gcs-rewrite-dev-complete roles/pubsub.publisher",
          "pubsub topics gcs-rewrite-dev-dead-letters roles/pubsub.publisher",
          "pubsub topics gcs-rewrite-prod-processing roles/pubsub.publisher",
          "pubsub topics gcs-rewrite-prod-complete roles/pubsub.publisher",
          "pubsub topics gcs-rewrite-prod-dead-letters roles/pubsub.publisher",
          "secrets gcs-rewrite-redis-auth roles/secretmanager.secretAccessor",
          "secrets gcs-rewrite-redis-ca roles/secretmanager.secretAccessor",
          "artifacts repositories gcs-rewrite roles/artifactregistry.reader");

  @Rule public final FakeCloud cloud = new FakeCloud();

  @Test
  public void helpExitsZeroAndNamesTheVariables() {
    ScriptRun run = cloud.script("setup-gcp.sh").without("PROJECT_ID").run("--help");

    assertEquals(run.toString(), 0, run.status());
    assertThat(run.stdout(), containsString("usage: scripts/setup-gcp.sh [--dry-run]"));
    for (String variable : List.of("PROJECT_ID", "REGION", "NETWORK", "SUBNET", "REDIS_SIZE_GB")) {
      assertThat(run.stdout(), containsString("  " + variable + " "));
    }
    assertThat(run.stdout(), containsString("  NOTIFICATION_CHANNELS\n"));
    assertThat(run.stdout(), containsString(" 10. Cloud Monitoring, per environment"));
    assertThat(run.stdout(), containsString("roles/iam.serviceAccountUser"));
    assertNothingCalled(cloud);
  }

  @Test
  public void missingProjectIdIsOneLineAndStatus2() {
    ScriptRun run = cloud.script("setup-gcp.sh").without("PROJECT_ID").run("--dry-run");

    assertOneLineError(
        run, 2, "setup-gcp: PROJECT_ID is not set; export PROJECT_ID=... (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void missingRegionIsOneLineAndStatus2() {
    ScriptRun run = cloud.script("setup-gcp.sh").without("REGION").run();

    assertOneLineError(run, 2, "setup-gcp: REGION is not set; export REGION=... (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void badArgumentsAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("setup-gcp.sh").run("--dry-rn"),
        2,
        "setup-gcp: unknown argument '--dry-rn' (see --help)");
    assertOneLineError(
        cloud.script("setup-gcp.sh").env("PROJECT_ID", "My_Project").run(),
        2,
        "setup-gcp: PROJECT_ID 'My_Project' is not a project ID (6 to 30 lowercase letters,"
            + " digits and hyphens, starting with a letter)");
    assertOneLineError(
        cloud.script("setup-gcp.sh").env("REDIS_SIZE_GB", "lots").run(),
        2,
        "setup-gcp: REDIS_SIZE_GB 'lots' is not a size in GB from 1 to 300");
    assertNothingCalled(cloud);
  }

  @Test
  public void dryRunPrintsEveryCreateAndCallsNothing() {
    ScriptRun run = cloud.script("setup-gcp.sh").run("--dry-run");

    assertEquals(run.toString(), 0, run.status());
    assertNothingCalled(cloud);
    List<String> lines = run.lines();
    List<List<String>> commands = run.gcloudCommands();
    // Every line is a command or the environment block: nothing else on stdout.
    assertNone(lines, "^(?!gcloud |# |export )");

    assertThat(
        commands,
        hasItem(
            List.of(
                "gcloud",
                "storage",
                "buckets",
                "notifications",
                "create",
                WORK,
                P,
                "--topic=projects/" + PROJECT + "/topics/gcs-rewrite-work-notifications",
                "--event-types=OBJECT_FINALIZE",
                "--payload-format=json",
                "--skip-topic-setup")));
    List<String> redis = command(commands, "gcloud redis instances create");
    assertThat(
        redis,
        hasItems(
            "gcs-rewrite-claims",
            "--region=" + REGION,
            "--tier=standard",
            "--redis-version=redis_7_2",
            "--enable-auth",
            "--transit-encryption-mode=server-authentication",
            "--network=projects/" + PROJECT + "/global/networks/default"));
    for (String bucket : List.of(WORK, PROCESSED_DEV, PROCESSED_PROD, DATAFLOW)) {
      assertThat(
          command(commands, "gcloud storage buckets create " + bucket),
          hasItems("--location=" + REGION, "--uniform-bucket-level-access"));
    }
    for (String environment : List.of("dev", "prod")) {
      assertThat(
          command(commands, "gcloud pubsub subscriptions create gcs-rewrite-work-" + environment),
          hasItems(
              "--topic=gcs-rewrite-work-notifications",
              "--ack-deadline=60",
              "--message-retention-duration=7d"));
      for (String topic : List.of("processing", "complete", "dead-letters")) {
        String name = "gcs-rewrite-" + environment + "-" + topic;
        assertThat(
            command(commands, "gcloud pubsub subscriptions create " + name + "-watch"),
            hasItem("--topic=" + name));
      }
      String deadLetters = "gcs-rewrite-" + environment + "-dead-letters";
      assertThat(
          command(commands, "gcloud pubsub subscriptions create " + deadLetters + "-replay"),
          hasItems("--topic=" + deadLetters, "--message-retention-duration=7d"));
    }
    assertThat(
        command(commands, "gcloud pubsub topics add-iam-policy-binding"),
        hasItems(
            "gcs-rewrite-work-notifications",
            "--member=serviceAccount:<storage-service-agent>",
            "--role=roles/pubsub.publisher"));
    assertThat(
        command(commands, "gcloud compute networks subnets update"),
        hasItems("default", "--region=" + REGION, "--enable-private-ip-google-access"));
    assertThat(
        command(commands, "gcloud compute firewall-rules create"),
        hasItems(
            "--network=default",
            "--rules=tcp:12345-12346",
            "--source-tags=dataflow",
            "--target-tags=dataflow"));
    assertThat(
        lines,
        hasItems(
            "gcloud secrets versions add gcs-rewrite-redis-auth "
                + P
                + " --data-file=- # stdin: <auth string from: gcloud redis instances"
                + " get-auth-string gcs-rewrite-claims --region="
                + REGION
                + " "
                + P
                + " --format='value(authString)'>",
            "gcloud secrets versions add gcs-rewrite-redis-ca "
                + P
                + " --data-file=- # stdin: <CA certificate from: gcloud redis instances describe"
                + " gcs-rewrite-claims --region="
                + REGION
                + " "
                + P
                + " --format='value(serverCaCerts[0].cert)'>",
            "gcloud storage cp pipeline-options/rewrite-rules.txt "
                + DATAFLOW
                + "/config/rewrite-rules.txt "
                + P,
            "export REDIS_HOST='<redis-host>'"));
    assertEquals(WORKER_GRANTS, workerGrants(commands));
    for (String environment : List.of("dev", "prod")) {
      String dashboard = "target/monitoring/" + environment + "/dashboard.json";
      assertInOrder(
          lines,
          "^gcloud monitoring dashboards create --validate-only --config-from-file=" + dashboard,
          "^gcloud monitoring dashboards create --config-from-file=" + dashboard + " " + P + "$");
      assertEquals(
          environment,
          7,
          count(
              lines,
              "^gcloud alpha monitoring policies create --policy-from-file=target/monitoring/"
                  + environment
                  + "/alert-policies/[a-z-]+\\.json "
                  + P
                  + "$"));
    }
    // What a dry run sends is there to read afterwards.
    for (List<String> command : commands) {
      for (String word : command) {
        if (word.matches("--(config|policy)-from-file=.*")) {
          assertTrue(word, Files.isRegularFile(Path.of(word.substring(word.indexOf('=') + 1))));
        }
      }
    }
  }

  @Test
  public void realRunRecordsTheCommandsInOrder() {
    ScriptRun run = cloud.script("setup-gcp.sh").run();

    assertEquals(run.toString(), 0, run.status());
    List<String> calls = cloud.callLines();
    assertInOrder(
        calls,
        "^gcloud services list --enabled",
        "^gcloud services enable dataflow.googleapis.com .*redis.googleapis.com",
        "^gcloud compute networks subnets update default",
        "^gcloud compute firewall-rules create gcs-rewrite-dataflow-internal",
        "^gcloud storage buckets create " + WORK,
        "^gcloud storage buckets create " + PROCESSED_DEV,
        "^gcloud storage buckets create " + PROCESSED_PROD,
        "^gcloud storage buckets create " + DATAFLOW,
        "^gcloud pubsub topics create gcs-rewrite-work-notifications",
        "^gcloud pubsub subscriptions create gcs-rewrite-work-dev ",
        "^gcloud pubsub subscriptions create gcs-rewrite-work-prod ",
        "^gcloud storage service-agent",
        "^gcloud pubsub topics add-iam-policy-binding gcs-rewrite-work-notifications .*"
            + "--member=serviceAccount:"
            + STORAGE_AGENT,
        "^gcloud storage buckets notifications create " + WORK,
        "^gcloud redis instances create gcs-rewrite-claims",
        "^gcloud secrets create gcs-rewrite-redis-auth",
        "^gcloud redis instances get-auth-string gcs-rewrite-claims",
        "^gcloud secrets versions add gcs-rewrite-redis-auth .*--data-file=-",
        "^gcloud secrets versions add gcs-rewrite-redis-ca .*--data-file=-",
        "^gcloud artifacts repositories create gcs-rewrite .*--repository-format=docker",
        "^gcloud iam service-accounts create gcs-rewrite-worker ",
        "^gcloud projects add-iam-policy-binding " + PROJECT,
        "^gcloud storage cp pipeline-options/rewrite-rules.txt",
        "^gcloud monitoring dashboards list " + P + " --format=value\\(name,displayName\\)$",
        "^gcloud alpha monitoring policies list " + P + " --format=value\\(name,displayName\\)$",
        "^gcloud monitoring dashboards create --validate-only .*/dev/dashboard.json",
        "^gcloud monitoring dashboards create --config-from-file=.*/dev/dashboard.json",
        "^gcloud alpha monitoring policies create --policy-from-file=.*/dev/alert-policies/",
        "^gcloud monitoring dashboards create --config-from-file=.*/prod/dashboard.json",
        "^gcloud alpha monitoring policies create --policy-from-file=.*/prod/alert-policies/",
        "^gcloud redis instances describe gcs-rewrite-claims .*--format=value\\(host\\)");
    assertEquals(4, count(calls, "^gcloud storage buckets create "));
    assertEquals(7, count(calls, "^gcloud pubsub topics create "));
    // Two pipeline subscriptions, six watch subscriptions, two dead-letter replay subscriptions.
    assertEquals(10, count(calls, "^gcloud pubsub subscriptions create "));
    assertEquals(2, count(calls, "^gcloud monitoring dashboards create --config-from-file="));
    assertEquals(14, count(calls, "^gcloud alpha monitoring policies create "));
    assertEquals(
        WORKER_GRANTS, workerGrants(cloud.calls().stream().map(c -> List.copyOf(c)).toList()));
    assertThat(run.stdout(), containsString("export REDIS_HOST=10.0.0.3\n"));
    assertThat(run.stdout(), containsString("export PROJECT_ID=" + PROJECT + "\n"));
  }

  @Test
  public void secondRunWithEverythingExistingCreatesNothing() {
    ScriptRun run = cloud.everythingExists().script("setup-gcp.sh").run();

    assertEquals(run.toString(), 0, run.status());
    List<String> calls = cloud.callLines();
    // Dashboards and alert policies are updated in place (below); nothing else changes.
    assertNone(
        calls.stream().filter(c -> !c.matches("^gcloud (alpha )?monitoring .*")).toList(),
        " (create|enable|update) ");
    assertNone(calls, "^gcloud (alpha )?monitoring \\S+ create (?!--validate-only)");
    assertNone(calls, "^gcloud secrets versions add ");
    assertThat(run.stderr(), containsString("setup-gcp: bucket " + WORK + " exists"));
    assertThat(run.stderr(), containsString("setup-gcp: Memorystore instance gcs-rewrite-claims"));
    assertThat(run.stdout(), containsString("export REDIS_HOST=10.0.0.3\n"));
  }

  @Test
  public void secondRunUpdatesEachDashboardAndPolicyInPlaceFoundByItsDisplayName()
      throws IOException {
    ScriptRun run = cloud.everythingExists().script("setup-gcp.sh").run();

    assertEquals(run.toString(), 0, run.status());
    Map<String, String> updated = new TreeMap<>();
    for (List<String> call : cloud.calls()) {
      int verb = call.indexOf("update");
      if (verb > 0 && String.join(" ", call).matches("gcloud (alpha )?monitoring .*")) {
        String file = call.get(verb + 2).replaceFirst("^--(config|policy)-from-file=", "");
        assertEquals(String.join(" ", call), P, call.get(verb + 3));
        updated.put(call.get(verb + 1), displayName(file));
      }
    }
    Map<String, String> expected = new TreeMap<>();
    FakeCloud.MONITORING.values().stream()
        .flatMap(List::stream)
        .forEach(title -> expected.put(FakeCloud.monitoringName(title), title));
    assertEquals("name updated -> display name of the file it was given", expected, updated);
    assertThat(cloud.log(), not(containsString(FakeCloud.FOREIGN_DASHBOARD)));
    assertThat(cloud.log(), not(containsString(FakeCloud.FOREIGN_POLICY)));
    assertThat(
        run.stderr(),
        containsString(
            "setup-gcp: alert policy \"gcs-rewrite prod: dead letters\" exists: replacing it with"
                + " the repository's\n"));
  }

  @Test
  public void twoDashboardsOfOneDisplayNameAreRefusedNamingBoth() {
    String twin = "projects/123456789012/dashboards/a-copy";
    ScriptRun run =
        cloud
            .everythingExists()
            .script("setup-gcp.sh")
            .env(
                "FAKE_CLOUD_DASHBOARDS",
                FakeCloud.listing(false, FakeCloud.FOREIGN_DASHBOARD)
                    + "\n"
                    + twin
                    + "\tgcs-rewrite dev")
            .run();

    assertEquals(run.toString(), 1, run.status());
    assertThat(
        run.stderr(),
        containsString(
            "setup-gcp: several of dashboard \"gcs-rewrite dev\" exist ("
                + FakeCloud.monitoringName("gcs-rewrite dev")
                + ", "
                + twin
                + "): delete all but one (gcloud monitoring dashboards delete NAME), then run this"
                + " again\n"));
    assertNone(cloud.callLines(), "^gcloud (alpha )?monitoring \\S+ (update|create --config)");
  }

  @Test
  public void aBadThresholdStopsSetupInOneLineBeforeAnythingRuns() throws IOException {
    Path options = copyOfTheOptionSets();
    Files.writeString(
        options.resolve("monitoring/prod.conf"),
        Files.readString(options.resolve("monitoring/prod.conf"))
            .replace("backlogAge=10m", "backlogAge=600"));

    assertSetupRefusesTheThresholds(
        options,
        "monitoring/prod.conf",
        "backlogAge '600' is not a duration in whole minutes or hours, such as 10m or 1h");
  }

  @Test
  public void anEnvironmentWithoutThresholdsIsOneLine() throws IOException {
    Path options = copyOfTheOptionSets();
    Files.delete(options.resolve("monitoring/dev.conf"));

    assertSetupRefusesTheThresholds(
        options,
        "monitoring/dev.conf",
        "no thresholds for environment dev (see pipeline-options/README.md)");
  }

  @Test
  public void notificationChannelsReachEveryPolicyAndAMalformedOneIsOneLine() throws IOException {
    String channels =
        "projects/"
            + PROJECT
            + "/notificationChannels/17,projects/"
            + PROJECT
            + "/notificationChannels/42";
    ScriptRun run =
        cloud.script("setup-gcp.sh").env("NOTIFICATION_CHANNELS", channels).run("--dry-run");

    assertEquals(run.toString(), 0, run.status());
    List<String> policies =
        run.gcloudCommands().stream()
            .filter(c -> String.join(" ", c).startsWith("gcloud alpha monitoring policies create"))
            .map(c -> ShellWords.flag(c, "policy-from-file"))
            .toList();
    assertEquals(14, policies.size());
    for (String policy : policies) {
      assertThat(
          policy,
          Files.readString(Path.of(policy)),
          containsString(
              "\"notificationChannels\": [\"projects/"
                  + PROJECT
                  + "/notificationChannels/17\",\"projects/"
                  + PROJECT
                  + "/notificationChannels/42\"]"));
    }

    assertOneLineError(
        cloud.script("setup-gcp.sh").env("NOTIFICATION_CHANNELS", "oncall@example.com").run(),
        2,
        "setup-gcp: NOTIFICATION_CHANNELS: 'oncall@example.com' is not a channel name such as"
            + " projects/"
            + PROJECT
            + "/notificationChannels/123 (gcloud beta monitoring channels list)");
    assertNothingCalled(cloud);
  }

  @Test
  public void secretsGoThroughStdinAndAreNeverShown() {
    ScriptRun run = cloud.script("setup-gcp.sh").run();

    assertEquals(run.toString(), 0, run.status());
    assertEquals(AUTH_STRING + "\n" + CA_CERT + "\n", cloud.stdin());
    assertThat(cloud.log(), not(containsString(AUTH_STRING)));
    assertThat(run.stdout(), not(containsString(AUTH_STRING)));
    assertThat(run.stderr(), not(containsString(AUTH_STRING)));
    assertThat(
        cloud.callLines(),
        hasItem(
            "gcloud redis instances get-auth-string gcs-rewrite-claims --region="
                + REGION
                + " "
                + P
                + " --format=value(authString)"));
  }

  @Test
  public void refreshSecretsStoresNewVersionsOfExistingSecrets() {
    ScriptRun run = cloud.everythingExists().script("setup-gcp.sh").run("--refresh-secrets");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(2, count(cloud.callLines(), "^gcloud secrets versions add "));
    assertEquals(AUTH_STRING + "\n" + CA_CERT + "\n", cloud.stdin());
    assertThat(run.stderr(), not(containsString(AUTH_STRING)));
  }

  @Test
  public void emptyAuthStringIsRefusedAndNothingStored() {
    ScriptRun run = cloud.script("setup-gcp.sh").env("FAKE_CLOUD_AUTH_STRING", "").run();

    assertEquals(run.toString(), 1, run.status());
    assertThat(
        run.stderr(), containsString("setup-gcp: the auth string is empty; nothing stored\n"));
    assertEquals("", cloud.stdin());
    assertNone(cloud.callLines(), "^gcloud secrets versions add ");
  }

  /**
   * Setup with the option sets of {@code options} stops with one line naming {@code file} there and
   * the {@code problem}, before it calls anything: thresholds are read before any change.
   */
  private void assertSetupRefusesTheThresholds(Path options, String file, String problem) {
    ScriptRun run =
        cloud.script("setup-gcp.sh").env("PIPELINE_OPTIONS_DIR", options.toString()).run();

    assertOneLineError(run, 2, "setup-gcp: " + options.resolve(file) + ": " + problem);
    assertNothingCalled(cloud);
  }

  /** pipeline-options/ copied into the test's folder, to be spoiled by a test. */
  private Path copyOfTheOptionSets() throws IOException {
    Path copy = cloud.folder().resolve("pipeline-options");
    for (String name :
        List.of(
            "dev.conf", "prod.conf", "local.conf", "monitoring/dev.conf", "monitoring/prod.conf")) {
      cloud.file("pipeline-options/" + name, Files.readString(Path.of("pipeline-options", name)));
    }
    return copy;
  }

  /**
   * The display name in a rendered dashboard or policy, the first in the file as setup reads it.
   */
  private static String displayName(String file) throws IOException {
    Matcher name =
        Pattern.compile("\"displayName\": \"([^\"]*)\"").matcher(Files.readString(Path.of(file)));
    assertTrue(file, name.find());
    return name.group(1);
  }

  /** The first command starting with {@code prefix}, as words. */
  private static List<String> command(List<List<String>> commands, String prefix) {
    return commands.stream()
        .filter(c -> (String.join(" ", c) + " ").startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no command starting with '" + prefix + "'"));
  }

  /** "service resource role" of every add-iam-policy-binding whose member is the worker. */
  private static Set<String> workerGrants(List<List<String>> commands) {
    Set<String> grants = new TreeSet<>();
    for (List<String> command : commands) {
      int verb = command.indexOf("add-iam-policy-binding");
      if (verb < 0 || !command.contains("--member=serviceAccount:" + WORKER_SA)) {
        continue;
      }
      grants.add(
          String.join(" ", command.subList(1, verb))
              + " "
              + command.get(verb + 1)
              + " "
              + ShellWords.flag(command, "role"));
    }
    return grants;
  }
}
