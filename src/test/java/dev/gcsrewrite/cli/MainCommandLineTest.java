package dev.gcsrewrite.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The jar's front door as a user meets it: a separate JVM, {@code --help}, and one clear line and
 * exit status 2 for options that cannot work. The flex template's launcher passes options only.
 */
public class MainCommandLineTest {

  @Test
  public void helpListsThePipelineOptions() throws Exception {
    Result result = runMain("--help");
    assertEquals(0, result.status);
    for (String option :
        new String[] {
          "--inputSubscription",
          "--processedBucket",
          "--bucketRoot",
          "--outputSuffix",
          "--rewriteRules",
          "--rewriteRulesFile",
          "--processingTopic",
          "--completeTopic",
          "--deadLetterTopic",
          "--dedupeTtl"
        }) {
      assertThat(result.stdout, containsString(option));
    }
  }

  @Test
  public void malformedDurationFailsInOneLineNamingTheOption() throws Exception {
    Result result =
        runMain(
            "--inputSubscription=projects/p/subscriptions/work",
            "--processedBucket=gs://processed-bucket",
            "--processingTopic=projects/p/topics/processing",
            "--completeTopic=projects/p/topics/complete",
            "--deadLetterTopic=projects/p/topics/dead-letters",
            "--dedupeTtl=10x");
    assertEquals(2, result.status);
    assertEquals(
        "gcs-rewrite: --dedupeTtl: '10x' is not a duration; write a number and a unit,"
            + " e.g. 90s, 10m, 1h30m, 7d (units ms, s, m, h, d)\n",
        result.stderr);
  }

  @Test
  public void missingRequiredOptionFailsInOneLine() throws Exception {
    Result result = runMain("--processedBucket=gs://processed-bucket");
    assertEquals(2, result.status);
    assertEquals("gcs-rewrite: --inputSubscription: is required\n", result.stderr);
  }

  @Test
  public void unknownOptionFailsInOneLine() throws Exception {
    Result result = runMain("--inputSubscriptoin=projects/p/subscriptions/work");
    assertEquals(2, result.status);
    assertThat(result.stderr, containsString("inputSubscriptoin"));
    assertEquals(1, result.stderr.split("\n").length);
  }

  @Test
  public void statusIsReachedThroughTheSameFrontDoor() throws Exception {
    Result result = runMain("status", "gs://work");
    assertEquals(2, result.status);
    assertEquals("status: 'gs://work' is not gs://BUCKET/OBJECT\n", result.stderr);
  }

  private static Result runMain(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(GcsRewriteCli.class.getName());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("main did not exit");
    }
    return new Result(
        process.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private record Result(int status, String stdout, String stderr) {}
}
