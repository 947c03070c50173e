package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNone;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;

/** {@code scripts/build-template.sh} against the recording stand-ins for gcloud, mvn and docker. */
public class BuildTemplateScriptTest {
  private static final String TEMPLATE =
      "gs://" + PROJECT + "-gcs-rewrite-dataflow/templates/gcs-rewrite.json";
  private static final String IMAGE =
      REGION + "-docker.pkg.dev/" + PROJECT + "/gcs-rewrite/gcs-rewrite-launcher:t1";
  private static final String P = "--project=" + PROJECT;

  @Rule public final FakeCloud cloud = new FakeCloud();

  @Test
  public void helpExitsZeroAndNamesTheVariablesAndFlags() {
    ScriptRun run = cloud.script("build-template.sh").without("REGION").run("--help");

    assertEquals(run.toString(), 0, run.status());
    for (String word :
        List.of("PROJECT_ID", "REGION", "--tag", "--skip-build", "--docker", "--print-only")) {
      assertThat(run.stdout(), containsString(word));
    }
    assertNothingCalled(cloud);
  }

  @Test
  public void missingVariablesAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("build-template.sh").without("PROJECT_ID").run("--dry-run"),
        2,
        "build-template: PROJECT_ID is not set; export PROJECT_ID=... (see --help)");
    assertOneLineError(
        cloud.script("build-template.sh").without("REGION").run("--print-only"),
        2,
        "build-template: REGION is not set; export REGION=... (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void badArgumentsAreOneLineAndStatus2() {
    assertOneLineError(
        cloud.script("build-template.sh").run("--tag"), 2, "build-template: --tag needs a value");
    assertOneLineError(
        cloud.script("build-template.sh").run("--tag", "no good"),
        2,
        "build-template: --tag 'no good' is not an image tag (letters, digits, _ . -, at most 128)");
    assertOneLineError(
        cloud.script("build-template.sh").run("--push"),
        2,
        "build-template: unknown argument '--push' (see --help)");
    assertNothingCalled(cloud);
  }

  @Test
  public void dryRunPrintsTheCloudBuildRouteAndCallsNothing() {
    ScriptRun run = cloud.script("build-template.sh").run("--dry-run", "--tag", "t1");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(
        List.of(
            "mvn -B package -DskipTests",
            "gcloud dataflow flex-template build "
                + TEMPLATE
                + " "
                + P
                + " --flex-template-base-image=JAVA17 --image-gcr-path="
                + IMAGE
                + " --jar=target/gcs-rewrite-bundled.jar"
                + " --env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=dev.gcsrewrite.cli.GcsRewriteCli"
                + " --sdk-language=JAVA --metadata-file=templates/metadata.json"),
        run.lines());
    assertNothingCalled(cloud);
  }

  @Test
  public void dockerRouteBuildsPushesAndWritesTheTemplateInOrder() {
    ScriptRun run = cloud.script("build-template.sh").run("--docker", "--tag=t1");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(
        List.of(
            List.of("mvn", "-B", "package", "-DskipTests"),
            List.of("gcloud", "auth", "configure-docker", REGION + "-docker.pkg.dev", "--quiet"),
            List.of("docker", "build", "-f", "templates/Dockerfile", "-t", IMAGE, "."),
            List.of("docker", "push", IMAGE),
            templateBuild()),
        cloud.calls());
  }

  @Test
  public void skipBuildRunsNoMavenAndNeedsTheJar() {
    ScriptRun dryRun =
        cloud.script("build-template.sh").run("--dry-run", "--skip-build", "--tag", "t1");
    assertEquals(dryRun.toString(), 0, dryRun.status());
    assertNone(dryRun.lines(), "^mvn ");

    ScriptRun run = cloud.script("build-template.sh").run("--skip-build", "--tag", "t1");
    if (Files.exists(Path.of("target", "gcs-rewrite-bundled.jar"))) {
      assertEquals(run.toString(), 0, run.status());
      assertNone(cloud.callLines(), "^mvn ");
    } else {
      assertOneLineError(
          run,
          2,
          "build-template: --skip-build, but target/gcs-rewrite-bundled.jar is missing: build it"
              + " (mvn -B package -DskipTests) or drop --skip-build");
      assertNothingCalled(cloud);
    }
  }

  @Test
  public void printOnlyBuildsNothing() {
    ScriptRun run = cloud.script("build-template.sh").run("--print-only", "--tag", "t1");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(List.of(templateBuild("--print-only")), cloud.calls());
  }

  @Test
  public void defaultTagIsTheGitCommit() throws Exception {
    Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
    String commit = new String(git.getInputStream().readAllBytes()).trim();
    assertEquals(0, git.waitFor());

    ScriptRun run = cloud.script("build-template.sh").run("--dry-run");

    assertEquals(run.toString(), 0, run.status());
    String image = ShellWords.flag(ShellWords.split(run.lines().get(1)), "image-gcr-path");
    String tag = image.substring(image.lastIndexOf(':') + 1);
    assertTrue(tag, tag.equals(commit) || tag.equals(commit + "-dirty"));
  }

  /**
   * The call that writes the template from the pushed image (the Docker route, and what {@code
   * --print-only} runs), then {@code extra}.
   */
  private static List<String> templateBuild(String... extra) {
    List<String> call = new ArrayList<>();
    call.addAll(
        List.of(
            "gcloud",
            "dataflow",
            "flex-template",
            "build",
            TEMPLATE,
            P,
            "--image=" + IMAGE,
            "--sdk-language=JAVA",
            "--metadata-file=templates/metadata.json"));
    call.addAll(List.of(extra));
    return call;
  }
}
