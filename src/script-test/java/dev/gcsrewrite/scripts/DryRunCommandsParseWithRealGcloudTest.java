package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.onPath;
import static dev.gcsrewrite.scripts.ScriptAssertions.assertNothingCalled;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Every gcloud command the scripts print in a dry run or make in a real run (against the stand-in,
 * for the lookups), run by the REAL gcloud, offline and signed in to nothing: gcloud parses the
 * whole command line (command, flag names, choices, dictionary flags such as --parameters=^~^...)
 * before it asks for credentials, so a command that fails only for want of an account is a command
 * gcloud accepts. A mistyped flag or value fails with exit status 2 instead. gcloud's
 * configuration, home and temporary files are kept in a folder of the test's own.
 */
public class DryRunCommandsParseWithRealGcloudTest {
  private Path sandbox;
  // The real gcloud reads the files the scripts rendered into target/ until the test ends.
  private AutoCloseable rendering;

  @Before
  public void makeSandbox() throws IOException {
    assumeTrue("gcloud is on PATH", onPath("gcloud"));
    sandbox = Files.createTempDirectory("real-gcloud");
    rendering = RenderedFiles.hold();
  }

  @After
  public void removeSandbox() throws Exception {
    if (rendering != null) {
      rendering.close();
    }
    Folders.deleteTree(sandbox);
  }

  @Test
  public void everyPrintedGcloudCommandParses() throws Exception {
    Map<String, List<String>> commands = scriptCommands();
    assertTrue("commands found: " + commands.size(), commands.size() >= 40);
    for (String group : List.of("monitoring dashboards", "alpha monitoring policies")) {
      for (String verb : List.of("list", "create", "update", "delete")) {
        String command = "gcloud " + group + " " + verb + " ";
        assertTrue(
            command + "is among " + commands.keySet(),
            commands.keySet().stream().anyMatch(shape -> shape.startsWith(command)));
      }
    }

    List<String> rejected = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Map<List<String>, Future<ScriptRun>> runs = new LinkedHashMap<>();
      for (List<String> command : commands.values()) {
        runs.put(command, pool.submit(() -> runWithRealGcloud(command)));
      }
      for (Map.Entry<List<String>, Future<ScriptRun>> run : runs.entrySet()) {
        ScriptRun result = run.getValue().get();
        if (isRejectedByTheParser(result)) {
          rejected.add(String.join(" ", run.getKey()) + "\n" + result.stderr());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(String.join("\n\n", rejected), List.of(), rejected);
  }

  @Test
  public void aMistypedFlagOrChoiceIsCaught() {
    assertTrue(
        isRejectedByTheParser(
            runWithRealGcloud(
                ShellWords.split(
                    "gcloud pubsub topics create t1 --project=demo-project-42 --ack=60"))));
    assertTrue(
        isRejectedByTheParser(
            runWithRealGcloud(
                ShellWords.split(
                    "gcloud redis instances create r1 --region=europe-west1"
                        + " --project=demo-project-42 --rdb-snapshot-period=7h"))));
    assertTrue(
        isRejectedByTheParser(
            runWithRealGcloud(
                ShellWords.split(
                    "gcloud dataflow flex-template run j1 --project=demo-project-42"
                        + " --region=europe-west1 --template-file-gcs-location=gs://b/t.json"
                        + " '--parameters=^~^a=b~c'"))));
    assertFalse(
        isRejectedByTheParser(
            runWithRealGcloud(
                ShellWords.split("gcloud pubsub topics create t1 --project=demo-project-42"))));
  }

  /**
   * The distinct gcloud commands of every script: those printed by the dry runs, and those the real
   * runs make against the stand-in (the lookups a dry run never prints), one per shape.
   */
  private Map<String, List<String>> scriptCommands() throws IOException {
    Map<String, List<String>> commands = new LinkedHashMap<>();
    try (FakeCloud cloud = FakeCloud.create()) {
      Path mapping = cloud.file("mapping.json", "{\"ClaimInRedis\": \"ClaimGenerations\"}");
      List<ScriptRun> dryRuns =
          List.of(
              cloud.script("setup-gcp.sh").run("--dry-run"),
              cloud.script("build-template.sh").run("--dry-run", "--tag", "t1"),
              cloud.script("build-template.sh").run("--dry-run", "--tag", "t1", "--docker"),
              cloud.script("launch-template.sh").run("dev", "--dry-run"),
              cloud
                  .script("launch-template.sh")
                  .env("TRANSFORM_MAPPING_FILE", mapping.toString())
                  .run("prod", "--dry-run", "--update"),
              cloud.script("teardown-gcp.sh").run("--dry-run"),
              cloud.script("deploy-status-service.sh").run("prod", "--dry-run", "--tag", "t1"));
      for (ScriptRun run : dryRuns) {
        assertEquals(run.toString(), 0, run.status());
        run.gcloudCommands().forEach(command -> add(commands, command));
      }
      assertNothingCalled(cloud);
      // Against nothing, then everything: the creates, then the updates in place (dashboards and
      // alert policies) and the deletes.
      List<ScriptRun> realRuns =
          List.of(
              cloud.script("setup-gcp.sh").run(),
              cloud.script("launch-template.sh").run("dev"),
              cloud.script("deploy-status-service.sh").run("dev", "--tag", "t1"),
              cloud.everythingExists().script("setup-gcp.sh").run(),
              cloud.script("teardown-gcp.sh").run("--yes"));
      for (ScriptRun run : realRuns) {
        assertEquals(run.toString(), 0, run.status());
      }
      cloud.calls().stream()
          .filter(call -> call.get(0).equals("gcloud"))
          .forEach(call -> add(commands, call));
    }
    return commands;
  }

  private static void add(Map<String, List<String>> commands, List<String> command) {
    // gcloud auth configure-docker writes the user's Docker configuration: not run here.
    if (!command.get(1).equals("auth")) {
      commands.putIfAbsent(shape(command), command);
    }
  }

  /**
   * The command's group and verb words and its flag names: one run per shape is enough. gcloud's
   * group and command words are lowercase words and hyphens; the words after them, the resources
   * the scripts name, all start with gcs-rewrite or hold a project ID, a path, an address or a
   * placeholder, so the first such word ends the command (gcloud alpha monitoring policies create
   * and update differ in their fifth word only).
   */
  private static String shape(List<String> words) {
    List<String> command = new ArrayList<>();
    TreeSet<String> flags = new TreeSet<>();
    boolean inCommand = true;
    for (String word : words) {
      if (word.startsWith("--")) {
        flags.add(word.replaceFirst("=.*", ""));
        inCommand = false;
      } else if (inCommand && isCommandWord(word)) {
        command.add(word);
      } else {
        inCommand = false;
      }
    }
    return String.join(" ", command) + " " + flags;
  }

  private static boolean isCommandWord(String word) {
    return word.matches("[a-z]+(-[a-z]+)*") && !word.startsWith("gcs-rewrite");
  }

  private ScriptRun runWithRealGcloud(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("CLOUDSDK_"));
    env.put("CLOUDSDK_CONFIG", sandbox.resolve("gcloud").toString());
    env.put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
    env.put("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false");
    env.put("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true");
    env.put("HOME", sandbox.toString());
    env.put("DOCKER_CONFIG", sandbox.resolve("docker").toString());
    env.put("TMPDIR", sandbox.toString());
    return ScriptRun.of(builder);
  }

  /** gcloud's argument parser refused the command line (as opposed to failing later). */
  private static boolean isRejectedByTheParser(ScriptRun run) {
    return run.status() == 2
        || run.stderr().contains("unrecognized arguments")
        || run.stderr().contains("Invalid choice")
        || run.stderr().contains("argument --");
  }
}
