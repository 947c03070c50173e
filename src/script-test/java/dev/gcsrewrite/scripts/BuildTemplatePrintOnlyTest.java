package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.REGION;
import static dev.gcsrewrite.scripts.FakeCloud.onPath;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Test;

/**
 * {@code scripts/build-template.sh --print-only} with the REAL gcloud, offline: gcloud validates
 * templates/metadata.json and prints the template spec it would write, which must carry every
 * parameter of the metadata as it is, and the image. Fake project and region; nothing reaches the
 * network, nothing is built (a recording mvn stands first on PATH).
 */
public class BuildTemplatePrintOnlyTest {
  @Test
  public void printedSpecCarriesEveryParameterOfTheMetadata() throws Exception {
    assumeTrue("gcloud is on PATH", onPath("gcloud"));
    try (FakeCloud cloud = FakeCloud.withRealGcloud()) {
      ScriptRun run = cloud.script("build-template.sh").run("--print-only", "--tag", "spec-test");

      assertEquals(run.toString(), 0, run.status());
      JsonNode spec = parseSpec(run.stdout());
      assertEquals(
          REGION + "-docker.pkg.dev/" + PROJECT + "/gcs-rewrite/gcs-rewrite-launcher:spec-test",
          spec.path("image").asText());
      assertEquals("JAVA", spec.path("sdkInfo").path("language").asText());
      JsonNode metadata =
          new ObjectMapper().readTree(Path.of("templates", "metadata.json").toFile());
      assertEquals(metadata.path("name"), spec.path("metadata").path("name"));
      assertEquals(
          byName(metadata.path("parameters")), byName(spec.path("metadata").path("parameters")));
      assertNothingCalled(cloud);
    }
  }

  /** gcloud prints the spec as a YAML literal block ("|-", then the JSON indented). */
  private static JsonNode parseSpec(String stdout) throws Exception {
    String json = stdout.startsWith("|-\n") ? stdout.substring(3) : stdout;
    return new ObjectMapper().readTree(json);
  }

  private static Map<String, JsonNode> byName(JsonNode parameters) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    parameters.forEach(p -> byName.put(p.path("name").asText(), p));
    return byName;
  }
}
