package dev.gcsrewrite.testing;

import dev.gcsrewrite.cli.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A command run in the test's JVM with its output captured: what it printed on each stream and the
 * exit code it answered.
 *
 * @param code the exit code
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
public record CommandRun(ExitCode code, String out, String err) {

  /** A command's way of running: its arguments and the two streams in, its exit code out. */
  @FunctionalInterface
  public interface Runner {
    ExitCode run(List<String> args, PrintStream out, PrintStream err);
  }

  public static CommandRun of(Runner runner, String... args) {
    return of(runner, List.of(args));
  }

  /** Runs {@code args} with {@code runner}, e.g. {@code GcsRewriteCli::execute}. */
  public static CommandRun of(Runner runner, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitCode code =
        runner.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CommandRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
