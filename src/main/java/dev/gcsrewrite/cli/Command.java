package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

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

  /** The help's lines after the synopsis and the summary: arguments, options, exit statuses. */
  private final String help;

  Command(String name, String summary, String synopsis, String help) {
    this.name = name;
    this.summary = summary;
    this.synopsis = synopsis;
    this.help = help;
  }

  /** Prints the command's whole help: synopsis, summary, arguments, options. */
  void printHelp(PrintStream out) {
    out.print("usage: " + synopsis + "\n\n  " + summary + ".\n" + help);
  }

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

  /**
   * Splits {@code args} into positional words (at most {@code words}), the command's own flags and
   * the rest, which are Beam's options.
   *
   * @param own the command's flags, space-separated: {@code name=} takes a value, {@code name} is a
   *     switch
   * @throws BadArguments for a word too many, or a flag without a value
   */
  Arguments parse(List<String> args, int words, String own) {
    Set<String> flags = Set.of(own.split(" "));
    Arguments parsed = new Arguments();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        if (parsed.words.size() == words) {
          throw new BadArguments("unexpected argument '" + arg + "' (see " + name + " --help)");
        }
        parsed.words.add(arg);
        continue;
      }
      String[] flag = arg.substring(2).split("=", 2);
      if (flag.length == 1 && flags.contains(flag[0])) {
        parsed.flags.put(flag[0], List.of());
      } else if (!flags.contains(flag[0] + "=")) {
        parsed.pipelineArgs.add(arg);
      } else if (flag.length == 1 || flag[1].isEmpty()) {
        throw new BadArguments("--" + flag[0] + " needs a value (--" + flag[0] + "=...)");
      } else {
        parsed.flags.computeIfAbsent(flag[0], f -> new ArrayList<>()).add(flag[1]);
      }
    }
    return parsed;
  }

  /** A command's arguments, as {@link #parse} splits them. */
  static final class Arguments {
    final List<String> words = new ArrayList<>();
    final List<String> pipelineArgs = new ArrayList<>();
    private final Map<String, List<String>> flags = new HashMap<>();

    /** Whether the switch or flag {@code --name} was given. */
    boolean has(String name) {
      return flags.containsKey(name);
    }

    /** Every value of the repeatable flag {@code --name=VALUE}, in order. */
    List<String> all(String name) {
      return flags.getOrDefault(name, List.of());
    }

    /** The value of {@code --name=VALUE}, or null; it may be given once. */
    @Nullable String get(String name) {
      List<String> values = all(name);
      if (values.size() > 1) {
        throw new BadArguments("--" + name + " given twice");
      }
      return values.isEmpty() ? null : values.get(0);
    }

    /** The whole number {@code --name} gives, or {@code otherwise}. */
    long number(String name, long otherwise) {
      String value = get(name);
      if (value != null && !value.matches("[0-9]{1,18}")) {
        throw new BadArguments("--" + name + " '" + value + "' is not a whole number");
      }
      return value == null ? otherwise : Long.parseLong(value);
    }

    /** The time {@code --name} gives, or null. */
    @Nullable Instant time(String name) {
      String value = get(name);
      try {
        return value == null ? null : Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new BadArguments(
            "--" + name + " '" + value + "' is not an ISO-8601 time such as 2026-11-26T00:00:00Z");
      }
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
