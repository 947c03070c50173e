package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.ScriptAssertions.assertOneLineError;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The option-set reader of {@code scripts/lib/common.sh} (the format of
 * pipeline-options/README.md), called from bash as the scripts call it.
 */
public class OptionSetReaderTest {
  private Path folder;

  @Before
  public void makeFolder() throws IOException {
    folder = Files.createTempDirectory("option-sets");
  }

  @After
  public void removeFolder() {
    Folders.deleteTree(folder);
  }

  @Test
  public void valuesAreLiteralAfterTheFirstEquals() throws IOException {
    ScriptRun run =
        read(
            Map.of(),
            "rewriteRules=AWS=GCP,Amazon\\=x=Google\\,y",
            "keyPrefix=a b #not a comment ",
            "outputSuffix=",
            "dedupeTtl='1h'");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(
        List.of(
            "rewriteRules=AWS=GCP,Amazon\\=x=Google\\,y",
            "keyPrefix=a b #not a comment ",
            "outputSuffix=",
            "dedupeTtl='1h'"),
        run.lines());
  }

  @Test
  public void commentsAndBlankLinesAreIgnored() throws IOException {
    ScriptRun run =
        read(Map.of(), "# a comment", "", "   ", "  # indented comment", "redisPort=6378\r", "");

    assertEquals(run.toString(), List.of("redisPort=6378"), run.lines());
  }

  @Test
  public void variablesAreReplacedOnceAndOnlyInBraces() throws IOException {
    ScriptRun run =
        read(
            Map.of("PROJECT_ID", "my-project", "TRICKY", "${PROJECT_ID}&$HOME"),
            "inputSubscription=projects/${PROJECT_ID}/subscriptions/${PROJECT_ID}-work",
            "keyPrefix=$PROJECT_ID:${TRICKY}:${PROJECT_ID",
            "redisHost=${PROJECT_ID}${PROJECT_ID}");

    assertEquals(
        run.toString(),
        List.of(
            "inputSubscription=projects/my-project/subscriptions/my-project-work",
            "keyPrefix=$PROJECT_ID:${PROJECT_ID}&$HOME:${PROJECT_ID",
            "redisHost=my-projectmy-project"),
        run.lines());
  }

  @Test
  public void unsetVariableIsOneLineNamingFileLineAndVariable() throws IOException {
    ScriptRun run =
        read(
            Map.of("PROJECT_ID", "p"),
            "# header",
            "processedBucket=gs://${PROJECT_ID}",
            "x=${NOPE}");

    assertOneLineError(
        run,
        2,
        "reader: " + folder.resolve("test.conf") + ":3: ${NOPE} is not set; export NOPE first");
  }

  @Test
  public void shellVariablesAreNotTheEnvironment() throws IOException {
    // SCRIPT_NAME is set in the reading shell but not exported.
    ScriptRun run = read(Map.of(), "keyPrefix=${SCRIPT_NAME}");

    assertOneLineError(
        run,
        2,
        "reader: "
            + folder.resolve("test.conf")
            + ":1: ${SCRIPT_NAME} is not set; export SCRIPT_NAME first");
  }

  @Test
  public void malformedLinesAreOneLineErrors() throws IOException {
    String file = folder.resolve("test.conf").toString();
    assertOneLineError(
        read(Map.of(), "redisPort=1", "just text"),
        2,
        "reader: " + file + ":2: expected name=value, not 'just text'");
    assertOneLineError(
        read(Map.of(), "--redisPort=1"),
        2,
        "reader: "
            + file
            + ":1: '--redisPort' is not an option name (letters and digits, as in"
            + " templates/metadata.json)");
    assertOneLineError(
        read(Map.of(), "redisPort=1", "", "redisPort=2"),
        2,
        "reader: " + file + ":3: redisPort is set twice (first on line 1)");
  }

  @Test
  public void missingFileIsOneLine() throws IOException {
    Path missing = folder.resolve("missing.conf");
    assertOneLineError(run(missing, Map.of()), 2, "reader: " + missing + ": no such option set");
  }

  private ScriptRun read(Map<String, String> environment, String... lines) throws IOException {
    Path file = folder.resolve("test.conf");
    Files.writeString(file, String.join("\n", lines), StandardCharsets.UTF_8);
    return run(file, environment);
  }

  private static ScriptRun run(Path file, Map<String, String> environment) {
    ProcessBuilder builder =
        new ProcessBuilder(
            "bash",
            "-c",
            "set -euo pipefail; SCRIPT_NAME=reader; source scripts/lib/common.sh;"
                + " read_option_set \"$1\"; printf '%s\\n' \"${OPTION_SET[@]}\"",
            "reader",
            file.toString());
    builder.environment().keySet().removeIf(k -> k.equals("PROJECT_ID") || k.equals("NOPE"));
    builder.environment().putAll(environment);
    return ScriptRun.of(builder);
  }
}
