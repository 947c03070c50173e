package dev.gcsrewrite.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.local.servers.ChildProcess;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The jar's front door as a user meets it: a separate JVM, {@code --help}, and one clear line and
 * exit status 2 for options that cannot work, and a status lookup that starts without what only a
 * pipeline needs. The flex template's launcher passes options only.
 */
public class MainCommandLineTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TemporaryFolder temporary = new TemporaryFolder();

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

  @Test
  public void statusStartsWithoutBeamsOptionsJacksonOrJmx() throws Exception {
    // What made a lookup take seconds: Beam's options factory scans every options interface,
    // Jackson and the JMX beans load hundreds of classes. A lookup needs none of them.
    String[] lookup = {
      "status",
      "gs://work-bucket/never/seen.txt",
      "--redisHost=127.0.0.1",
      "--redisPort=" + REDIS.port()
    };
    Path quickLog = temporary.newFile("quick.log").toPath();
    Result quick = runMain(List.of("-Xlog:class+load=info:file=" + quickLog), lookup);
    assertEquals(quick.stderr, 1, quick.status);
    assertThat(quick.stdout, startsWith("gs://work-bucket/never/seen.txt: no record in Redis"));
    String quickClasses = Files.readString(quickLog);
    assertThat(quickClasses, containsString("dev.gcsrewrite.cli.RedisArguments "));
    for (String heavy :
        List.of(
            "org.apache.beam.sdk.options.PipelineOptionsFactory ",
            "com.fasterxml.jackson.databind.ObjectMapper ",
            "java.lang.management.ManagementFactory ")) {
      assertThat(quickClasses, not(containsString(heavy)));
    }

    // The same lookup with an option only Beam reads takes Beam's road, and --json needs Jackson:
    // the log above would have shown them.
    List<String> withBeam = new ArrayList<>(List.of(lookup));
    withBeam.addAll(List.of("--json", "--runner=DirectRunner"));
    Path slowLog = temporary.newFile("slow.log").toPath();
    Result slow =
        runMain(List.of("-Xlog:class+load=info:file=" + slowLog), withBeam.toArray(new String[0]));
    assertEquals(slow.stderr, 1, slow.status);
    String slowClasses = Files.readString(slowLog);
    assertThat(slowClasses, containsString("org.apache.beam.sdk.options.PipelineOptionsFactory "));
    assertThat(slowClasses, containsString("com.fasterxml.jackson.databind.ObjectMapper "));
  }

  private static Result runMain(String... args) throws IOException, InterruptedException {
    return runMain(List.of(), args);
  }

  private static Result runMain(List<String> jvmOptions, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add(ChildProcess.SHORT_LIVED_JIT);
    command.addAll(jvmOptions);
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
