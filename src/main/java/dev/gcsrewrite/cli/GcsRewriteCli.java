package dev.gcsrewrite.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The jar's one front door: {@code java -jar gcs-rewrite-bundled.jar [COMMAND] [ARGS]}. It picks
 * the command, prints the one usage text, and alone turns a command's answer into the exit status
 * ({@link ExitCode}). Arguments that begin with an option select {@code run}, which is how the flex
 * template's launcher starts the pipeline.
 */
public final class GcsRewriteCli {
  private static final List<Command> COMMANDS =
      List.of(new RunCommand(), new StatusCommand(), new ReconcileCommand(), new ReplayCommand());

  private GcsRewriteCli() {}

  public static void main(String[] args) {
    System.exit(execute(Arrays.asList(args), System.out, System.err).status());
  }

  /** Runs the command {@code args} name; returns its exit code. */
  public static ExitCode execute(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || isHelp(args.get(0))) {
      printUsage(out);
      return ExitCode.OK;
    }
    String first = args.get(0);
    if (first.equals("help")) {
      return help(args.subList(1, args.size()), out, err);
    }
    if (first.startsWith("-")) {
      return commandOrHelp(command("run").orElseThrow(), args, out, err);
    }
    Optional<Command> command = command(first);
    if (command.isEmpty()) {
      err.println(
          "gcs-rewrite: unknown command '"
              + first
              + "'; commands: "
              + String.join(", ", names())
              + " (gcs-rewrite --help)");
      return ExitCode.USAGE;
    }
    return commandOrHelp(command.get(), args.subList(1, args.size()), out, err);
  }

  /** The usage text: commands, the exit statuses, and the default command's options. */
  public static void printUsage(PrintStream out) {
    out.println("usage: java -jar gcs-rewrite-bundled.jar [COMMAND] [ARGS]");
    out.println("       (gcs-rewrite below stands for java -jar gcs-rewrite-bundled.jar)");
    out.println();
    out.println("Commands:");
    for (Command command : COMMANDS) {
      out.println(String.format("  %-8s %s", command.name(), command.summary()));
    }
    out.println();
    for (Command command : COMMANDS) {
      out.println("  " + command.synopsis());
    }
    out.println();
    out.println("gcs-rewrite help COMMAND (or COMMAND --help) prints one command's help.");
    out.println();
    out.println("Exit status:");
    for (ExitCode code : ExitCode.values()) {
      out.println(String.format("  %d  %s", code.status(), code.meaning()));
    }
    out.println();
    out.println("The default command, run:");
    command("run").orElseThrow().printHelp(out);
  }

  private static ExitCode help(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      printUsage(out);
      return ExitCode.OK;
    }
    Optional<Command> command = command(args.get(0));
    if (command.isEmpty()) {
      err.println(
          "gcs-rewrite: no command '" + args.get(0) + "'; commands: " + String.join(", ", names()));
      return ExitCode.USAGE;
    }
    command.get().printHelp(out);
    return ExitCode.OK;
  }

  /**
   * {@code --help} anywhere among a command's arguments prints its help instead; Beam's own {@code
   * --help=SomeOptions} is left to Beam.
   */
  private static ExitCode commandOrHelp(
      Command command, List<String> args, PrintStream out, PrintStream err) {
    if (args.stream().anyMatch(GcsRewriteCli::isHelp)) {
      command.printHelp(out);
      return ExitCode.OK;
    }
    return command.run(args, out, err);
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }

  private static Optional<Command> command(String name) {
    return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  private static List<String> names() {
    return COMMANDS.stream().map(Command::name).toList();
  }
}
