package dev.gcsrewrite.scripts;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.File;
import org.junit.Test;

/**
 * The scripts' bash check ({@code require_bash} in {@code scripts/lib/common.sh}): an older bash
 * than they need (macOS's own is 3.2) is refused in one line that says how to get a newer one,
 * before any newer syntax can fail with bash's own, less helpful, message. Asked here for a version
 * above this machine's, since no bash old enough runs here.
 */
public class BashVersionTest {
  @Test
  public void olderBashThanTheScriptsNeedIsRefusedInOneLineSayingHowToGetOne() {
    ScriptRun run = bash("require_bash 99 1");

    assertEquals(run.toString(), 2, run.status());
    assertEquals(run.toString(), 1, run.stderr().lines().count());
    assertThat(run.stderr(), startsWith("run-local: needs bash 99.1 or newer, and this is bash "));
    assertThat(run.stderr(), containsString("brew install bash"));
  }

  @Test
  public void thisBashItselfIsEnough() {
    ScriptRun run =
        bash(
            "require_bash \"${BASH_VERSINFO[0]}\" \"${BASH_VERSINFO[1]}\""
                + " && require_bash \"${BASH_VERSINFO[0]}\" 0 && echo passed");

    assertEquals(run.toString(), 0, run.status());
    assertEquals(run.toString(), "passed\n", run.stdout());
  }

  /** Runs {@code command} in bash after sourcing common.sh, as a script named run-local would. */
  private static ScriptRun bash(String command) {
    ProcessBuilder builder =
        new ProcessBuilder(
                "bash", "-c", "SCRIPT_NAME=run-local; source scripts/lib/common.sh; " + command)
            .redirectInput(new File("/dev/null"));
    return ScriptRun.of(builder);
  }
}
