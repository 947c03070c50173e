package dev.gcsrewrite.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of the jar.
 *
 * <p>Commands write results to {@code out} and problems to {@code err}, and never call {@link
 * System#exit}: {@link GcsRewriteCli} alone turns their answer into the exit status, so that every
 * command runs in a test's JVM.
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

  /** Runs the command with the arguments after its name. */
  abstract ExitCode run(List<String> args, PrintStream out, PrintStream err);

  /** Prints {@code line} on {@code err} and answers {@code code}. */
  static ExitCode fail(PrintStream err, ExitCode code, String line) {
    err.println(line);
    return code;
  }
}
