package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.cli.ExitCode;
import dev.gcsrewrite.cli.GcsRewriteCli;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The reconcile command's Dataflow job, translated by the Dataflow runner's own translator without
 * any network (the classic-template route, as {@link DataflowTranslationTest} does for the
 * streaming job): a batch job whose steps are the listing followed by the streaming job's own steps
 * under their released names, with no keyed state.
 */
public class ReconcileTranslationTest {
  @ClassRule public static final TemporaryFolder FOLDER = new TemporaryFolder();

  private static JsonNode job;
  private static List<JsonNode> steps;
  private static String out;

  @BeforeClass
  public static void translate() throws Exception {
    File template = FOLDER.newFile("reconcile.json");
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    List<String> args =
        new ArrayList<>(
            List.of("reconcile", "--bucket=test-project-gcs-rewrite-work", "--prefix=incoming/"));
    args.addAll(
        OfflineTranslation.options(
            FOLDER.newFolder("staging").toPath(),
            template.toPath(),
            FOLDER.newFile("gcs-rewrite-bundled.jar").toPath(),
            "gcs-rewrite-prod"));
    ExitCode code =
        GcsRewriteCli.execute(
            args,
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    out = stdout.toString(StandardCharsets.UTF_8);
    assertEquals(stderr.toString(StandardCharsets.UTF_8), ExitCode.OK, code);
    job = new ObjectMapper().readTree(template);
    steps = new ArrayList<>();
    job.get("steps").forEach(steps::add);
  }

  @Test
  public void theJobIsABatchJobWithAJobNameOfItsOwn() {
    assertEquals("JOB_TYPE_BATCH", job.get("type").asText());
    assertThat(
        job.at("/environment/sdkPipelineOptions/options/jobName").asText(),
        startsWith("gcs-rewrite-prod-reconcile-"));
    assertThat(out, containsString("batch job submitted"));
  }

  @Test
  public void theStepsAreTheListingThenTheStreamingJobsOwn() throws Exception {
    List<String> expected = new ArrayList<>();
    expected.add("ListCurrentGenerations");
    for (String line :
        Files.readAllLines(Path.of("templates", "step-names.txt"), StandardCharsets.UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#") && !line.trim().equals("ReadNotifications")) {
        expected.add(line.trim());
      }
    }
    Set<String> translated = new LinkedHashSet<>();
    for (JsonNode step : steps) {
      String name = step.at("/properties/user_name/value").asText();
      int slash = name.indexOf('/');
      translated.add(slash < 0 ? name : name.substring(0, slash));
    }
    assertEquals(expected, List.copyOf(translated));
  }

  @Test
  public void noStepKeepsKeyedStateAndTheListingIsSplit() {
    for (JsonNode step : steps) {
      assertEquals(
          step.at("/properties/user_name/value").asText() + " uses keyed state",
          false,
          step.path("properties").has("uses_keyed_state"));
    }
    assertThat(job.toString(), containsString("ListCurrentGenerations/ListSplits"));
  }
}
