package dev.gcsrewrite.scripts;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.testing.Eventually;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * {@code scripts/run-local.sh} as a user runs it, on the jar the build just packaged: a run killed
 * mid-batch and recovered by the next, then a fresh run to idle with a correct summary and nothing
 * left running, and the one-line refusals.
 */
public class RunLocalScriptIT {
  private static final Path WORK_DIR = Path.of("target", "it-local-run").toAbsolutePath();

  @Test
  public void runKilledMidBatchIsRecoveredByTheNextRunAndTheRunAfterStartsFresh() throws Exception {
    int emulatorPort = Ports.free();
    int redisPort = Ports.free();
    Path log = Files.createTempFile("run-local-killed-", ".log");
    List<String> flags =
        List.of(
            "--files",
            "60",
            "--emulator-port=" + emulatorPort,
            "--redis-port=" + redisPort,
            "--work-dir=" + WORK_DIR);
    try {
      // A run that would go on until Ctrl-C, killed with SIGKILL (no shutdown hook) mid-batch.
      List<String> command = new ArrayList<>(List.of("bash", "scripts/run-local.sh"));
      command.addAll(flags);
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      Path gcloudConfig = Files.createTempDirectory("gcloud-config-");
      builder.environment().put("CLOUDSDK_CONFIG", gcloudConfig.toString());
      Process killed = builder.start();
      Path processed = WORK_DIR.resolve("processed");
      Eventually.await(
          "some outputs written", Duration.ofMinutes(4), () -> outputs(processed) >= 15);
      killed.destroyForcibly().waitFor();
      Folders.deleteTree(gcloudConfig);
      long outputsAtKill = outputs(processed);
      assertTrue(
          "killed mid-batch, not after it: " + outputsAtKill + " outputs", outputsAtKill < 60);
      Set<Long> servers = pids(Files.readString(log));
      Eventually.await(
          "the killed run's emulator and Redis end with it",
          Duration.ofSeconds(30),
          () ->
              servers.stream()
                  .noneMatch(
                      pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));

      List<String> again = new ArrayList<>(List.of("--until-idle"));
      again.addAll(flags);
      Result recovered = run(Map.of(), again.toArray(new String[0]));

      assertEquals(recovered.output, 0, recovered.status);
      assertThat(recovered.output, containsString("recovering  the last run in " + WORK_DIR));
      assertThat(recovered.output, containsString("reconcile   Summary"));
      assertThat(recovered.output, containsString(": 60 outputs"));
      assertThat(recovered.output, containsString("60 of 60 outputs equal their source"));
      assertThat(
          recovered.output,
          containsString("reconcile   taking over the claims of the last run's job"));
      // Nothing of the killed run's work is dead-lettered: the only dead letters are the recovered
      // run's own three hostile notifications.
      assertThat(
          recovered.output,
          containsString(
              "dead letters      3: {MalformedJson=1, MissingAttribute=1, UnsafeObjectName=1}"));
      assertThat(recovered.output, containsString("result            OK"));
      // Finished: the next run starts fresh, processes its files, dead-letters the stack's three
      // hostile notifications, and stops everything it started.
      Result fresh =
          run(
              Map.of(),
              "--until-idle",
              "--files",
              "30",
              "--emulator-port=" + emulatorPort,
              "--redis-port=" + redisPort,
              "--work-dir=" + WORK_DIR);
      assertEquals(fresh.output, 0, fresh.status);
      assertThat(fresh.output, not(containsString("recovering")));
      assertThat(fresh.output, containsString(": 30 files generated"));
      assertThat(fresh.output, containsString(": 30 outputs"));
      assertThat(fresh.output, containsString("dropped 30 duplicates, dead-lettered 3"));
      assertThat(fresh.output, containsString("30 events for 30 distinct generations"));
      assertThat(
          fresh.output,
          containsString(
              "dead letters      3: {MalformedJson=1, MissingAttribute=1, UnsafeObjectName=1}"));
      assertThat(fresh.output, containsString("30 of 30 outputs equal their source"));
      assertThat(fresh.output, containsString("result            OK"));
      for (long pid : pids(fresh.output)) {
        assertFalse(
            "process " + pid + " still running",
            ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      }
    } finally {
      Files.deleteIfExists(log);
      Folders.deleteTree(WORK_DIR);
    }
  }

  /** Outputs in the processed folder, FileIO's temporary folders aside. */
  private static long outputs(Path processed) {
    try (Stream<Path> files = Files.list(processed)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".processed")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  public void localConfOptionsReachThePipelineAndTheUsersWin() throws Exception {
    Path options = Files.createDirectories(WORK_DIR.resolveSibling("it-local-options"));
    // A value the pipeline refuses: it must be the user's --dedupeTtl that reaches it.
    Files.writeString(options.resolve("local.conf"), "dedupeTtl=10x\nrewriteRules=AWS=GCP\n");
    try {
      Result refused =
          run(
              Map.of("PIPELINE_OPTIONS_DIR", options.toString()),
              "--until-idle",
              "--emulator-port=" + Ports.free(),
              "--redis-port=" + Ports.free(),
              "--work-dir=" + WORK_DIR);
      assertEquals(refused.output, 2, refused.status);
      assertThat(
          refused.output, containsString("\nrun-local: --dedupeTtl: '10x' is not a duration;"));

      Result run =
          run(
              Map.of("PIPELINE_OPTIONS_DIR", options.toString()),
              "--until-idle",
              "--files",
              "3",
              "--emulator-port=" + Ports.free(),
              "--redis-port=" + Ports.free(),
              "--work-dir=" + WORK_DIR,
              "--dedupeTtl=20m",
              "--rewriteRules=AWS=XYZ");
      assertEquals(run.output, 0, run.status);
      assertThat(run.output, containsString("outputs check     skipped: custom --rewriteRules"));
      assertThat(run.output, containsString("result            OK"));
    } finally {
      Folders.deleteTree(WORK_DIR);
      Folders.deleteTree(options);
    }
  }

  @Test
  public void unsetVariableInLocalConfIsRefusedInOneLine() throws Exception {
    Path options = Files.createDirectories(WORK_DIR.resolveSibling("it-local-options"));
    Files.writeString(options.resolve("local.conf"), "# local\nkeyPrefix=${NO_SUCH_VARIABLE}:\n");
    try {
      Result result =
          run(
              Map.of("PIPELINE_OPTIONS_DIR", options.toString()),
              "--until-idle",
              "--emulator-port=" + Ports.free(),
              "--redis-port=" + Ports.free());
      assertEquals(2, result.status);
      assertEquals(
          "run-local: "
              + options.resolve("local.conf")
              + ":2: ${NO_SUCH_VARIABLE} is not set; export NO_SUCH_VARIABLE first\n",
          result.output);
    } finally {
      Folders.deleteTree(options);
    }
  }

  @Test
  public void takenPortIsRefusedInOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Result result =
          run(
              Map.of(),
              "--until-idle",
              "--emulator-port=" + taken.getLocalPort(),
              "--redis-port=" + Ports.free());
      assertEquals(2, result.status);
      assertEquals(
          "run-local: port "
              + taken.getLocalPort()
              + " is taken (Pub/Sub emulator); free it or pass --emulator-port\n",
          result.output);
    }
  }

  @Test
  public void missingEmulatorIsRefusedInOneLine() throws Exception {
    Result result = run(Map.of("PUBSUB_EMULATOR_JAR", "/nonexistent/emulator.jar"), "--until-idle");
    assertEquals(2, result.status);
    assertEquals(
        "run-local: PUBSUB_EMULATOR_JAR names /nonexistent/emulator.jar, which is not a file\n",
        result.output);
  }

  @Test
  public void unknownFlagIsRefusedWithTheUsage() throws Exception {
    Result result =
        run(
            Map.of(),
            "--fils",
            "3",
            "--emulator-port=" + Ports.free(),
            "--redis-port=" + Ports.free());
    assertEquals(2, result.status);
    assertThat(result.output, startsWith("run-local: unknown argument '--fils'\nusage: "));
  }

  private static Set<Long> pids(String output) {
    Set<Long> pids = new LinkedHashSet<>();
    Matcher matcher = Pattern.compile("\\(pid (\\d+)\\)").matcher(output);
    while (matcher.find()) {
      pids.add(Long.parseLong(matcher.group(1)));
    }
    assertEquals("the emulator's and Redis's pids are printed", 2, pids.size());
    return pids;
  }

  private static Result run(Map<String, String> environment, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", "scripts/run-local.sh"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // gcloud keeps its configuration and a log per command here, not in the user's folder.
    Path gcloudConfig = Files.createTempDirectory("gcloud-config-");
    builder.environment().put("CLOUDSDK_CONFIG", gcloudConfig.toString());
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    try {
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("run-local.sh did not finish");
      }
    } finally {
      Folders.deleteTree(gcloudConfig);
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private record Result(int status, String output) {}
}
