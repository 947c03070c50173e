package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.InvalidOptionException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The jar's one front door: {@code java -jar gcs-rewrite-bundled.jar [COMMAND] [ARGS]}.
 *
 * <p>It picks the command, prints the one usage text, and alone turns a command's answer into the
 * exit status ({@link ExitCode}). Arguments that begin with an option select {@code run}, which is
 * how the flex template's launcher starts the pipeline.
 */
public final class GcsRewriteCli {
  private static final List<Command> COMMANDS =
      List.of(
          new RunCommand(),
          new StatusCommand(),
          new ServeStatusCommand(),
          new ReconcileCommand(),
          new ReplayCommand());

  private GcsRewriteCli() {}

  public static void main(String[] args) {
    System.exit(execute(Arrays.asList(args), System.out, System.err).status());
  }

  /** Runs the command {@code args} name; returns its exit code. */
  public static ExitCode execute(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || isHelp(args.get(0)) || args.equals(List.of("help"))) {
      printUsage(out);
      return ExitCode.OK;
    }
    boolean help = args.get(0).equals("help");
    boolean optionsOnly = !help && args.get(0).startsWith("-");
    String name = optionsOnly ? "run" : args.get(help ? 1 : 0);
    Optional<Command> command = COMMANDS.stream().filter(c -> c.name.equals(name)).findFirst();
    if (command.isEmpty()) {
      String names = String.join(", ", COMMANDS.stream().map(c -> c.name).toList());
      err.printf(
          "gcs-rewrite: %s command '%s'; commands: %s%s%n",
          help ? "no" : "unknown", name, names, help ? "" : " (gcs-rewrite --help)");
      return ExitCode.USAGE;
    }
    // --help among a command's arguments prints its help; Beam's --help=SomeOptions is Beam's.
    List<String> rest = args.subList(optionsOnly ? 0 : 1, args.size());
    if (help || rest.stream().anyMatch(GcsRewriteCli::isHelp)) {
      command.get().printHelp(out);
      return ExitCode.OK;
    }
    try {
      return command.get().run(rest, out, err);
    } catch (Command.Failure | InvalidOptionException e) {
      err.println((name.equals("run") ? "gcs-rewrite" : name) + ": " + e.getMessage());
      return e instanceof Command.Failure failure ? failure.code : ExitCode.USAGE;
    }
  }

  /** The usage text: commands, the exit statuses, and the default command's options. */
  public static void printUsage(PrintStream out) {
    out.println("usage: java -jar gcs-rewrite-bundled.jar [COMMAND] [ARGS]");
    out.println("       (gcs-rewrite below stands for java -jar gcs-rewrite-bundled.jar)\n");
    out.println("Commands:");
    COMMANDS.forEach(command -> out.printf("  %-12s %s%n", command.name, command.summary));
    out.println();
    COMMANDS.forEach(command -> out.println("  " + command.synopsis));
    out.println("\ngcs-rewrite help COMMAND (or COMMAND --help) prints one command's help.\n");
    out.println("Exit status:");
    for (ExitCode code : ExitCode.values()) {
      out.printf("  %d  %s%n", code.status(), code.meaning());
    }
    out.println("\nThe default command, run:");
    COMMANDS.get(0).printHelp(out);
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }
}
