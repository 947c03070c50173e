package dev.gcsrewrite.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.testing.CommandRun;
import org.junit.Test;

/** Which command the front door picks, and the one usage text and exit-status table it prints. */
public class GcsRewriteCliTest {

  @Test
  public void noArgumentsPrintsTheUsageWithEveryCommandAndExitStatus() {
    CommandRun result = execute();
    assertEquals(ExitCode.OK, result.code());
    assertThat(
        result.out(), startsWith("usage: java -jar gcs-rewrite-bundled.jar [COMMAND] [ARGS]"));
    assertThat(result.out(), containsString("  run          start the streaming pipeline"));
    assertThat(result.out(), containsString("  status       what Redis records about an object"));
    assertThat(
        result.out(), containsString("  serve-status the status command over HTTP, read-only"));
    for (ExitCode code : ExitCode.values()) {
      assertThat(result.out(), containsString("  " + code.status() + "  " + code.meaning()));
    }
    assertEquals("", result.err());
  }

  @Test
  public void exitStatusesAreDistinct() {
    assertEquals(
        ExitCode.values().length,
        java.util.Arrays.stream(ExitCode.values()).mapToInt(ExitCode::status).distinct().count());
  }

  @Test
  public void unknownCommandIsOneLineNamingTheCommandsAndExitsTwo() {
    CommandRun result = execute("reconcil", "gs://work");
    assertEquals(ExitCode.USAGE, result.code());
    assertEquals(
        "gcs-rewrite: unknown command 'reconcil'; commands: run, status, serve-status, reconcile, replay"
            + " (gcs-rewrite --help)\n",
        result.err());
    assertEquals("", result.out());
  }

  @Test
  public void helpForOneCommandPrintsOnlyItsHelp() {
    CommandRun viaHelp = execute("help", "status");
    CommandRun viaFlag = execute("status", "--help");
    assertEquals(ExitCode.OK, viaHelp.code());
    assertEquals(viaHelp, viaFlag);
    assertThat(viaHelp.out(), startsWith("usage: gcs-rewrite status gs://BUCKET/OBJECT"));
    assertThat(viaHelp.out(), containsString("--json"));
  }

  @Test
  public void helpForAnUnknownCommandExitsTwo() {
    CommandRun result = execute("help", "nope");
    assertEquals(ExitCode.USAGE, result.code());
    assertEquals(
        "gcs-rewrite: no command 'nope'; commands: run, status, serve-status, reconcile, replay\n",
        result.err());
  }

  @Test
  public void optionsAloneSelectRunAsTheTemplateLauncherPassesThem() {
    CommandRun result = execute("--processedBucket=gs://processed-bucket");
    assertEquals(ExitCode.USAGE, result.code());
    assertEquals("gcs-rewrite: --inputSubscription: is required\n", result.err());
    assertEquals(result, execute("run", "--processedBucket=gs://processed-bucket"));
  }

  @Test
  public void runHelpListsEveryPipelineOption() {
    CommandRun result = execute("help", "run");
    assertThat(result.out(), containsString("--inputSubscription"));
    assertThat(result.out(), containsString("--claimRetention"));
    assertThat(result.out(), containsString("--help=DataflowPipelineOptions"));
  }

  private static CommandRun execute(String... args) {
    return CommandRun.of(GcsRewriteCli::execute, args);
  }
}
