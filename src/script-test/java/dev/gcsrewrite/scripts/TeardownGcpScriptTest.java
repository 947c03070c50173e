package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.JOB_ID;
import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.FakeCloud.WORKER_SA;
import static dev.gcsrewrite.scripts.FakeCloud.onPath;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;

/** {@code scripts/teardown-gcp.sh} against the recording stand-in for gcloud. */
public class TeardownGcpScriptTest {
  private static final String P = "--project=" + PROJECT;
  private static final Pattern DELETE = Pattern.compile(" (delete|remove-iam-policy-binding|rm) ");

  /**
   * The alert policies of templates/monitoring/alert-policies/, in the reverse order of their files
   * (waiting-for-an-operator.json first): the order teardown deletes them in.
   */
  private static final List<String> POLICIES_LAST_FILE_FIRST =
      List.of(
          "waiting for an operator",
          "Redis outage",
          "Redis memory",
          "job not running",
          "dead letters",
          "data freshness",
          "notification backlog age");

  /** The deletes after those of the dashboards and alert policies. */
  private static final List<String> OTHER_DELETES =
      List.of(
          "gcloud projects remove-iam-policy-binding "
              + PROJECT
              + " --member=serviceAccount:"
              + WORKER_SA
              + " --role=roles/dataflow.worker --condition=None --format=none",
          "gcloud iam service-accounts delete " + WORKER_SA + " " + P + " --quiet",
          "gcloud artifacts repositories delete gcs-rewrite --location="
              + REGION
              + " "
              + P
              + " --quiet",
          "gcloud secrets delete gcs-rewrite-redis-ca " + P + " --quiet",
          "gcloud secrets delete gcs-rewrite-redis-auth " + P + " --quiet",
          "gcloud redis instances delete gcs-rewrite-claims --region="
              + REGION
              + " "
              + P
              + " --quiet",
          "gcloud storage buckets notifications delete projects/_/buckets/"
              + PROJECT
              + "-gcs-rewrite-work/notificationConfigs/17 "
              + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-prod-dead-letters-replay " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-dev-dead-letters-replay " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-prod-dead-letters-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-prod-complete-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-prod-processing-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-dev-dead-letters-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-dev-complete-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-dev-processing-watch " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-work-prod " + P,
          "gcloud pubsub subscriptions delete gcs-rewrite-work-dev " + P,
          "gcloud pubsub topics delete gcs-rewrite-prod-dead-letters " + P,
          "gcloud pubsub topics delete gcs-rewrite-prod-complete " + P,
          "gcloud pubsub topics delete gcs-rewrite-prod-processing " + P,
          "gcloud pubsub topics delete gcs-rewrite-dev-dead-letters " + P,
          "gcloud pubsub topics delete gcs-rewrite-dev-complete " + P,
          "gcloud pubsub topics delete gcs-rewrite-dev-processing " + P,
          "gcloud pubsub topics delete gcs-rewrite-work-notifications " + P,
          "gcloud storage rm --recursive gs://" + PROJECT + "-gcs-rewrite-dataflow " + P,
          "gcloud storage rm --recursive gs://" + PROJECT + "-gcs-rewrite-processed-prod " + P,
          "gcloud storage rm --recursive gs://" + PROJECT + "-gcs-rewrite-processed-dev " + P,
          "gcloud storage rm --recursive gs://" + PROJECT + "-gcs-rewrite-work " + P,
          "gcloud compute firewall-rules delete gcs-rewrite-dataflow-internal " + P + " --quiet");

  /** Every delete, in the reverse order of setup-gcp.sh's creates. */
  private static final List<String> DELETES = deletes(FakeCloud::monitoringName);

  @Rule public final FakeCloud cloud = new FakeCloud();

  /**
   * Every delete: each environment's status service (prod's, then dev's), then each environment's
   * alert policies and dashboard, with the names {@code name} gives them for their display names.
   */
  private static List<String> deletes(Function<String, String> name) {
    List<String> deletes = new ArrayList<>();
    for (String environment : List.of("prod", "dev")) {
      deletes.add(
          "gcloud run services delete gcs-rewrite-status-"
              + environment
              + " --region="
              + REGION
              + " "
              + P
              + " --quiet");
    }
    for (String environment : List.of("prod", "dev")) {
      for (String policy : POLICIES_LAST_FILE_FIRST) {
        String title = "gcs-rewrite " + environment + ": " + policy;
        deletes.add(
            "gcloud alpha monitoring policies delete " + name.apply(title) + " " + P + " --quiet");
      }
      deletes.add(
          "gcloud monitoring dashboards delete "
              + name.apply("gcs-rewrite " + environment)
              + " "
              + P
              + " --quiet");
    }
    deletes.addAll(OTHER_DELETES);
    return deletes;
  }

  @Test
  public void helpExitsZeroAndNamesTheVariables() {
    ScriptRun run = cloud.script("teardown-gcp.sh").without("PROJECT_ID").run("--help");

    assertEquals(run.toString(), 0, run.status());
    for (String word : List.of("PROJECT_ID", "REGION", "NETWORK", "SUBNET", "--yes", "drain")) {
      assertThat(run.stdout(), containsString(word));
    }
    assertNothingCalled(cloud);
  }

  @Test
  public void missingVariablesAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("teardown-gcp.sh").without("PROJECT_ID").run("--yes"),
        2,
        "teardown-gcp: PROJECT_ID is not set; export PROJECT_ID=... (see --help)");
    assertOneLineError(
        cloud.script("teardown-gcp.sh").without("REGION").run("--yes"),
        2,
        "teardown-gcp: REGION is not set; export REGION=... (see --help)");
    assertOneLineError(
        cloud.script("teardown-gcp.sh").run("--force"),
        2,
        "teardown-gcp: unknown argument '--force' (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void refusesWithoutATerminalToConfirmOn() {
    ScriptRun run = cloud.everythingExists().script("teardown-gcp.sh").run();

    assertOneLineError(
        run,
        1,
        "teardown-gcp: no terminal to ask for confirmation on; run it in a terminal, or pass --yes");
    assertNothingCalled(cloud);
  }

  @Test
  public void refusesWhileAJobIsRunningAndSaysHowToDrainIt() {
    ScriptRun run =
        cloud
            .everythingExists()
            .runningJob("gcs-rewrite-prod")
            .script("teardown-gcp.sh")
            .run("--yes");

    assertOneLineError(
        run,
        1,
        "teardown-gcp: a gcs-rewrite job is running; drain it, wait until it has drained, then run"
            + " this again: gcs-rewrite-prod ("
            + JOB_ID
            + "): gcloud dataflow jobs drain "
            + JOB_ID
            + " --region="
            + REGION
            + " "
            + P);
    assertEquals(
        List.of(
            "gcloud dataflow jobs list "
                + P
                + " --region="
                + REGION
                + " --status=active --format=value(id,name)"),
        cloud.callLines());
  }

  @Test
  public void otherJobsDoNotBlock() {
    ScriptRun run =
        cloud
            .everythingExists()
            .runningJob("someone-elses-job")
            .script("teardown-gcp.sh")
            .run("--yes");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(DELETES, deletes());
  }

  @Test
  public void deletesEverythingInReverseOrderWithYes() {
    ScriptRun run = cloud.everythingExists().script("teardown-gcp.sh").run("--yes");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(DELETES, deletes());
    assertThat(run.stderr(), containsString("Private Google Access on subnet default"));
  }

  @Test
  public void deletesOnlyWhatExists() {
    ScriptRun run = cloud.script("teardown-gcp.sh").run("--yes");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(List.of(), deletes());
    assertThat(
        run.stderr(),
        containsString("teardown-gcp: Memorystore instance gcs-rewrite-claims does not exist"));
    assertThat(
        run.stderr(),
        containsString(
            "teardown-gcp: alert policy \"gcs-rewrite dev: dead letters\" does not exist"));
  }

  @Test
  public void dryRunPrintsEveryDeleteAndCallsNothing() {
    ScriptRun run = cloud.script("teardown-gcp.sh").run("--dry-run");

    assertEquals(run.toString(), 0, run.status());
    assertNothingCalled(cloud);
    String config = "projects/_/buckets/" + PROJECT + "-gcs-rewrite-work/notificationConfigs/";
    // The notification's ID and the dashboards' and policies' names come from lookups:
    // placeholders, quoted for the shell.
    List<String> expected =
        deletes(
                title ->
                    "'<name of "
                        + (title.contains(": ") ? "alert policy" : "dashboard")
                        + " \""
                        + title
                        + "\">'")
            .stream()
            .map(d -> d.replace(config + "17", "'" + config + "<notification-id>'"))
            .toList();
    assertEquals(expected, run.lines());
  }

  @Test
  public void confirmationOnATerminalTakesOnlyTheProjectId() throws IOException {
    assumeTrue("script (util-linux) is on PATH", onPath("script"));
    cloud.everythingExists();

    ScriptRun wrong = inTerminal("not-the-project\n");
    assertEquals(wrong.toString(), 1, wrong.status());
    assertThat(wrong.stdout(), containsString("Type the project ID to confirm: "));
    assertThat(
        wrong.stdout(),
        containsString("teardown-gcp: 'not-the-project' is not " + PROJECT + "; nothing deleted"));
    assertEquals(List.of(), deletes());

    ScriptRun right = inTerminal(PROJECT + "\n");
    assertEquals(right.toString(), 0, right.status());
    assertEquals(DELETES, deletes());
  }

  /** Teardown on a pseudo-terminal (util-linux script), {@code input} typed at it. */
  private ScriptRun inTerminal(String input) throws IOException {
    Path typed = cloud.file("typed.txt", input);
    return cloud
        .script("teardown-gcp.sh")
        .runInTerminal(typed, "script", "-qec", "bash scripts/teardown-gcp.sh", "/dev/null");
  }

  private List<String> deletes() {
    return cloud.callLines().stream().filter(l -> DELETE.matcher(l).find()).toList();
  }
}
