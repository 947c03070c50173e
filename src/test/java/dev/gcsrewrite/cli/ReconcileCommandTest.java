package dev.gcsrewrite.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.testing.CommandRun;
import org.junit.Test;

/** The reconcile command's own arguments: what it refuses, in one line, before doing anything. */
public class ReconcileCommandTest {

  @Test
  public void helpShowsTheSynopsisAndTheDryRun() {
    CommandRun help = execute("help", "reconcile");
    assertEquals(ExitCode.OK, help.code());
    assertThat(help.out(), startsWith("usage: gcs-rewrite reconcile --bucket=BUCKET"));
    assertThat(help.out(), containsString("--dry-run"));
    assertThat(execute("--help").out(), containsString("gcs-rewrite reconcile --bucket=BUCKET"));
  }

  @Test
  public void aBucketIsRequired() {
    CommandRun run = execute("reconcile", "--dry-run", "--redisHost=127.0.0.1");
    assertEquals(ExitCode.USAGE, run.code());
    assertEquals("reconcile: --bucket=BUCKET (a bucket name) is required\n", run.err());
  }

  @Test
  public void timesMustBeIsoInstantsInOrder() {
    CommandRun notATime = execute("reconcile", "--bucket=b", "--updatedAfter=yesterday");
    assertEquals(ExitCode.USAGE, notATime.code());
    assertThat(notATime.err(), startsWith("reconcile: --updatedAfter 'yesterday' is not"));
    CommandRun reversed =
        execute(
            "reconcile",
            "--bucket=b",
            "--updatedAfter=2026-11-26T00:00:00Z",
            "--updatedBefore=2026-11-25T00:00:00Z");
    assertEquals(ExitCode.USAGE, reversed.code());
    assertEquals("reconcile: --updatedAfter must be before --updatedBefore\n", reversed.err());
  }

  @Test
  public void aStoppedJobMustBeAJobName() {
    CommandRun run = execute("reconcile", "--bucket=b", "--stopped-job=Prod Job", "--dry-run");
    assertEquals(ExitCode.USAGE, run.code());
    assertEquals(
        "reconcile: --stopped-job 'Prod Job' is not a job name (lower-case letters, digits, -)\n",
        run.err());
    assertThat(execute("help", "reconcile").out(), containsString("--stopped-job=JOB"));
  }

  @Test
  public void anUnknownOptionIsRefusedInOneLine() {
    CommandRun run = execute("reconcile", "--bucket=b", "--dry-run", "--redisHots=x");
    assertEquals(ExitCode.USAGE, run.code());
    assertThat(run.err(), startsWith("reconcile: "));
    assertEquals(1, run.err().lines().count());
  }

  @Test
  public void aFlagGivenTwiceOrWithoutAValueIsRefusedInOneLine() {
    assertEquals(
        "reconcile: --bucket given twice\n",
        execute("reconcile", "--bucket=a", "--bucket=b", "--dry-run").err());
    assertEquals(
        "reconcile: --prefix needs a value (--prefix=...)\n",
        execute("reconcile", "--bucket=b", "--prefix", "--dry-run").err());
    CommandRun stray = execute("reconcile", "--bucket=b", "stray");
    assertEquals(ExitCode.USAGE, stray.code());
    assertEquals("reconcile: unexpected argument 'stray' (see reconcile --help)\n", stray.err());
  }

  @Test
  public void aDryRunWithoutRedisSaysSoAndExitsThree() throws Exception {
    CommandRun run =
        execute(
            "reconcile",
            "--bucket=b",
            "--dry-run",
            "--bucketRoot=/nonexistent-root",
            "--redisHost=127.0.0.1",
            "--redisPort=" + Ports.free());
    assertEquals(ExitCode.UNAVAILABLE, run.code());
    assertThat(run.err(), startsWith("reconcile: cannot "));
  }

  @Test
  public void theRunsJobNameIsItsOwn() {
    assertThat(
        ReconcileCommand.reconcileJobName("gcs-rewrite-prod"),
        startsWith("gcs-rewrite-prod-reconcile-"));
    assertThat(ReconcileCommand.reconcileJobName(null), startsWith("gcs-rewrite-reconcile-"));
  }

  private static CommandRun execute(String... args) {
    return CommandRun.of(GcsRewriteCli::execute, args);
  }
}
