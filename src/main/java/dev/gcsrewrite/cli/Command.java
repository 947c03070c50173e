package dev.gcsrewrite.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of the jar. Commands write results to {@code out} and problems to {@code err}, and
 * never call {@link System#exit}: {@link GcsRewriteCli} alone turns their answer into the process's
 * exit status, so every command is testable in the same JVM.
 */
interface Command {
  /** The word that selects the command, e.g. {@code status}. */
  String name();

  /** One line for the list of commands. */
  String summary();

  /** The command's synopsis, first line {@code gcs-rewrite NAME ...}. */
  String synopsis();

  /** Prints the command's whole help: synopsis, arguments, options. */
  void printHelp(PrintStream out);

  /** Runs the command with the arguments after its name. */
  ExitCode run(List<String> args, PrintStream out, PrintStream err);
}
