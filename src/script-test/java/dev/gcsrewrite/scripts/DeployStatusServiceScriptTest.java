package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.FakeCloud.WORKER_SA;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;

/** {@code scripts/deploy-status-service.sh} against the recording stand-in for gcloud. */
public class DeployStatusServiceScriptTest {
  @Rule public final FakeCloud cloud = new FakeCloud();

  @Test
  public void helpExitsZeroAndNamesTheVariablesAndTheCommand() {
    ScriptRun run = cloud.script("deploy-status-service.sh").without("PROJECT_ID").run("--help");

    assertEquals(run.toString(), 0, run.status());
    for (String text :
        List.of(
            "PROJECT_ID",
            "REDIS_HOST",
            "STATUS_MAX_INSTANCES",
            "--tag",
            "--service",
            "serve-status",
            "roles/run.invoker")) {
      assertThat(run.stdout(), containsString(text));
    }
    assertNothingCalled(cloud);
  }

  @Test
  public void dryRunPrintsAnInternalAuthenticatedDeployOfServeStatusWithTheRedisOptions() {
    ScriptRun run = cloud.script("deploy-status-service.sh").run("dev", "--dry-run", "--tag", "t1");

    assertEquals(run.toString(), 0, run.status());
    assertNothingCalled(cloud);
    assertEquals(run.toString(), 2, run.lines().size());
    assertEquals(
        "gcloud services enable run.googleapis.com --project=" + PROJECT, run.lines().get(0));
    List<String> words = ShellWords.split(run.lines().get(1));
    assertEquals(List.of("gcloud", "run", "deploy", "gcs-rewrite-status-dev"), words.subList(0, 4));
    assertThat(
        words,
        hasItems(
            "--project=" + PROJECT,
            "--region=" + REGION,
            "--image="
                + REGION
                + "-docker.pkg.dev/"
                + PROJECT
                + "/gcs-rewrite/gcs-rewrite-launcher:t1",
            "--command=java",
            "--port=8080",
            "--service-account=" + WORKER_SA,
            "--ingress=internal",
            "--no-allow-unauthenticated",
            "--network=default",
            "--subnet=default",
            "--vpc-egress=private-ranges-only",
            "--labels=app=gcs-rewrite,environment=dev"));
    assertEquals(
        List.of(
            "-cp",
            "/template/gcs-rewrite-bundled.jar",
            "dev.gcsrewrite.cli.GcsRewriteCli",
            "serve-status",
            "--bind=0.0.0.0",
            "--port=8080",
            "--redisHost=<redis-host>",
            "--redisPort=6378",
            "--redisTls=true",
            "--redisCluster=false",
            "--redisPasswordSecret=projects/"
                + PROJECT
                + "/secrets/gcs-rewrite-redis-auth/versions/latest",
            "--redisTlsCaSecret=projects/"
                + PROJECT
                + "/secrets/gcs-rewrite-redis-ca/versions/latest",
            "--keyPrefix=gcs-rewrite-dev:"),
        ShellWords.gcloudList(ShellWords.flag(words, "args")));
  }

  @Test
  public void realRunLooksUpTheRedisHostThenDeploys() {
    ScriptRun run =
        cloud
            .script("deploy-status-service.sh")
            .env("SUBNET", "workers")
            .run("prod", "--tag", "t1", "--service", "status-prod");

    assertEquals(run.toString(), 0, run.status());
    List<List<String>> calls = cloud.calls();
    assertEquals(cloud.log(), 3, calls.size());
    assertEquals(List.of("gcloud", "redis", "instances", "describe"), calls.get(0).subList(0, 4));
    assertEquals(
        List.of("gcloud", "services", "enable", "run.googleapis.com"), calls.get(1).subList(0, 4));
    List<String> deploy = calls.get(2);
    assertEquals("status-prod", deploy.get(3));
    assertThat(deploy, hasItems("--subnet=workers"));
    assertThat(
        ShellWords.gcloudList(ShellWords.flag(deploy, "args")),
        hasItems("--redisHost=10.0.0.3", "--keyPrefix=gcs-rewrite:"));
  }

  @Test
  public void badArgumentsAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("deploy-status-service.sh").run("staging", "--tag", "t1"),
        2,
        "deploy-status-service: unknown environment 'staging': no pipeline-options/staging.conf"
            + " (available: dev, prod)");
    assertOneLineError(
        cloud.script("deploy-status-service.sh").run("dev", "--tag", "bad tag"),
        2,
        "deploy-status-service: --tag 'bad tag' is not an image tag (letters, digits, _ . -, at"
            + " most 128)");
    assertOneLineError(
        cloud.script("deploy-status-service.sh").run("dev", "--service", "Bad_Name"),
        2,
        "deploy-status-service: service name 'Bad_Name': lowercase letters, digits and hyphens,"
            + " starting with a letter");
    assertNothingCalled(cloud);
  }
}
