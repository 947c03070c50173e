package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import java.io.PrintStream;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * One subcommand of the jar.
 *
 * <p>Commands print results on {@code out}, answer an {@link ExitCode} and never call {@link
 * System#exit}, so that every command runs in a test's JVM. A command stops by throwing a {@link
 * Failure}: {@link GcsRewriteCli} prints its one line after the command's name on {@code err}.
 */
abstract class Command {
  /** The word that selects the command, e.g. {@code status}. */
  final String name;

  /** One line for the list of commands. */
  final String summary;

  /** The command's synopsis, {@code gcs-rewrite NAME ...}. */
  final String synopsis;

  Command(String name, String summary, String synopsis) {
    this.name = name;
    this.summary = summary;
    this.synopsis = synopsis;
  }

  /** Prints the command's whole help: synopsis, arguments, options. */
  abstract void printHelp(PrintStream out);

  /**
   * Runs the command with the arguments after its name.
   *
   * @throws Failure when it cannot go on
   * @throws InvalidOptionException for a pipeline option that is missing or malformed
   */
  abstract ExitCode run(List<String> args, PrintStream out, PrintStream err);

  /**
   * The pipeline options {@code args} set, parsed by Beam.
   *
   * @throws BadArguments with the first line of what Beam refused, never its multi-line message
   */
  static GcsRewriteOptions parseOptions(List<String> args) {
    try {
      return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
          .as(GcsRewriteOptions.class);
    } catch (IllegalArgumentException e) {
      throw new BadArguments(firstLine(e));
    }
  }

  /** The message of a refused option or argument: ours are one line, Beam's start with it. */
  static String firstLine(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return e instanceof InvalidOptionException ? message : message.split("\n", 2)[0];
  }

  /** The exception at the bottom of {@code e}'s causes: what ended a pipeline or a connection. */
  static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root;
  }

  /** Why a command stops: the one line printed after the command's name, and the exit code. */
  static class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final ExitCode code;

    Failure(ExitCode code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** Arguments a command cannot use: exit code {@link ExitCode#USAGE}. */
  static final class BadArguments extends Failure {
    private static final long serialVersionUID = 1L;

    BadArguments(String message) {
      super(ExitCode.USAGE, message);
    }
  }
}
