package dev.gcsrewrite.scripts;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.util.List;
import java.util.regex.Pattern;

/** Assertions shared by the deployment scripts' tests. */
final class ScriptAssertions {
  private ScriptAssertions() {}

  /** The script stopped with {@code status} and exactly {@code message} as one line on stderr. */
  static void assertOneLineError(ScriptRun run, int status, String message) {
    assertEquals(run.toString(), status, run.status());
    assertEquals(run.toString(), message + "\n", run.stderr());
    assertEquals(run.toString(), "", run.stdout());
  }

  /** Nothing was called: no gcloud, mvn or docker. */
  static void assertNothingCalled(FakeCloud cloud) {
    assertEquals("recorded calls", "", cloud.log());
  }

  /**
   * Each pattern matches a line, each one after the line the previous pattern matched. Patterns are
   * regular expressions found anywhere in a line.
   */
  static void assertInOrder(List<String> lines, String... patterns) {
    int from = 0;
    for (String pattern : patterns) {
      Pattern compiled = Pattern.compile(pattern);
      int found = -1;
      for (int i = from; i < lines.size(); i++) {
        if (compiled.matcher(lines.get(i)).find()) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        fail(
            "no line matching /"
                + pattern
                + "/ after line "
                + from
                + " in:\n"
                + String.join("\n", lines));
      }
      from = found + 1;
    }
  }

  /** How many lines match {@code pattern}. */
  static long count(List<String> lines, String pattern) {
    Pattern compiled = Pattern.compile(pattern);
    return lines.stream().filter(line -> compiled.matcher(line).find()).count();
  }

  /** No line matches {@code pattern}. */
  static void assertNone(List<String> lines, String pattern) {
    Pattern compiled = Pattern.compile(pattern);
    for (String line : lines) {
      assertTrue("unexpected: " + line, !compiled.matcher(line).find());
    }
  }
}
