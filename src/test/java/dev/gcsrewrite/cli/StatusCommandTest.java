package dev.gcsrewrite.cli;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The status command against a real Redis: what it prints and how it exits. */
public class StatusCommandTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final ClaimSettings POLICY =
      new ClaimSettings("job-7", Duration.standardMinutes(10), Duration.standardDays(7));

  private String prefix;

  @Before
  public void usePrefix() {
    prefix = job.keyPrefix();
  }

  @Test
  public void timesPrintAsJodaPrintedThemBeforeTheQuickStart() {
    for (long millis :
        new long[] {0, 1, 999, 1_764_064_801_100L, 1_764_064_801_000L, 253_402_300_799_999L}) {
      assertEquals(
          new org.joda.time.Instant(millis).toString(), StatusCommand.time(Long.toString(millis)));
    }
    assertEquals("not-a-time", StatusCommand.time("not-a-time"));
  }

  @Test
  public void unknownObjectSaysSoAndExitsOne() {
    CommandRun result = status("gs://work/never-seen");
    assertEquals(ExitCode.NOT_FOUND, result.code());
    assertThat(result.out(), startsWith("gs://work/never-seen: no record in Redis at 127.0.0.1:"));
    assertThat(result.out(), containsString("under prefix '" + prefix + "'"));
  }

  @Test
  public void settledAndInProgressGenerationsArePrintedWithTheLatest() throws Exception {
    GcsNotification first = parsed("work", "reports/q4 é.txt", 100, "m-100");
    GcsNotification second = parsed("work", "reports/q4 é.txt", 200, "m-200");
    try (ClaimStore store = ClaimStore.forPipeline(REDIS.settings(prefix))) {
      ClaimFixtures.complete(store, first, POLICY, "gs://out/reports/q4 é.txt.processed");
      ClaimFixtures.claim(store, second, POLICY);
    }

    CommandRun result = status("gs://work/reports/q4 é.txt");

    assertEquals(ExitCode.OK, result.code());
    assertThat(result.out(), startsWith("gs://work/reports/q4 é.txt\n"));
    assertThat(result.out(), containsString("  latest completed generation 100\n"));
    assertThat(
        result.out(), containsString("    output     gs://out/reports/q4 é.txt.processed\n"));
    assertThat(
        result.out(),
        containsString(
            "  generation 100\n    state       COMPLETED\n    owner       job-7\n    message     m-100\n"));
    assertThat(result.out(), containsString("  generation 200\n    state       INPROGRESS\n"));
    assertThat(
        result.out(), containsString("  in flight: generation 200 (job-7, token 2, lease until"));
    assertThat(result.out(), containsString("    lease until 20"));
    assertThat(result.out(), containsString("    completed   20"));
  }

  @Test
  public void oneGenerationCanBeAskedForAndComesAsJson() throws Exception {
    GcsNotification n = parsed("work", "a", 100, "m-100");
    try (ClaimStore store = ClaimStore.forPipeline(REDIS.settings(prefix))) {
      ClaimFixtures.skip(store, n, POLICY, Outcome.SOURCE_MISSING);
      ClaimFixtures.claim(store, parsed("work", "a", 200, "m-200"), POLICY);
    }

    CommandRun result = status("gs://work/a", "100", "--json");

    assertEquals(ExitCode.OK, result.code());
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertEquals("gs://work/a", json.get("object").asText());
    assertEquals("SKIPPED", json.at("/generations/100/state").asText());
    assertEquals("sourceMissing", json.at("/generations/100/reason").asText());
    assertEquals(false, json.get("generations").has("200"));
  }

  @Test
  public void unknownGenerationOfAKnownObjectExitsOne() throws Exception {
    try (ClaimStore store = ClaimStore.forPipeline(REDIS.settings(prefix))) {
      store.claim(List.of(parsed("work", "a", 100, "m")), POLICY);
    }
    CommandRun result = status("gs://work/a", "999");
    assertEquals(ExitCode.NOT_FOUND, result.code());
    assertThat(result.out(), startsWith("gs://work/a generation 999: no record"));
  }

  @Test
  public void unreachableRedisIsOneClearLineAndExitsThree() {
    CommandRun result =
        run("gs://work/a", "--redisHost=127.0.0.1", "--redisPort=1", "--keyPrefix=" + prefix);
    assertEquals(ExitCode.UNAVAILABLE, result.code());
    assertThat(result.err(), startsWith("status: cannot reach Redis at 127.0.0.1:1: "));
    assertEquals(1, result.err().split("\n").length);
  }

  @Test
  public void badArgumentsPrintUsageAndExitTwo() {
    assertEquals(ExitCode.USAGE, run().code());
    assertThat(run().err(), startsWith("usage: gcs-rewrite status gs://BUCKET/OBJECT"));
    assertEquals(ExitCode.USAGE, run("work/a", "--redisHost=127.0.0.1").code());
    CommandRun noObject = run("gs://work", "--redisHost=127.0.0.1");
    assertEquals("status: 'gs://work' is not gs://BUCKET/OBJECT\n", noObject.err());
    CommandRun badGeneration = run("gs://work/a", "latest", "--redisHost=127.0.0.1");
    assertEquals("status: generation 'latest' is not a number\n", badGeneration.err());
    CommandRun noHost = run("gs://work/a");
    assertEquals("status: --redisHost: is required\n", noHost.err());
  }

  @Test
  public void passwordProtectedRedisIsReachedThroughTheSecretReference() throws Exception {
    try (LocalRedis guarded = new LocalRedis("requirepass s3cret-auth").open()) {
      java.nio.file.Path secret = java.nio.file.Files.createTempFile("redis-auth", ".txt");
      java.nio.file.Files.writeString(secret, "s3cret-auth\n");
      try {
        CommandRun ok =
            run(
                "gs://work/a",
                "--redisHost=127.0.0.1",
                "--redisPort=" + guarded.port(),
                "--redisPasswordSecret=file:" + secret);
        assertEquals(ExitCode.NOT_FOUND, ok.code());
        assertThat(ok.out(), containsString("no record"));

        CommandRun refused =
            run("gs://work/a", "--redisHost=127.0.0.1", "--redisPort=" + guarded.port());
        assertEquals(ExitCode.UNAVAILABLE, refused.code());
        assertThat(refused.err(), containsString("NOAUTH"));
        assertThat(refused.err() + refused.out(), not(containsString("s3cret-auth")));
      } finally {
        java.nio.file.Files.delete(secret);
      }
    }
  }

  private CommandRun status(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--redisHost=127.0.0.1");
    all.add("--redisPort=" + REDIS.port());
    all.add("--keyPrefix=" + prefix);
    return run(all.toArray(new String[0]));
  }

  private static CommandRun run(String... args) {
    List<String> all = new ArrayList<>(List.of("status"));
    all.addAll(List.of(args));
    return CommandRun.of(GcsRewriteCli::execute, all);
  }
}
