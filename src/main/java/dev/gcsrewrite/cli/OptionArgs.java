package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Parses {@code --name=value} arguments into the pipeline's options for every command, so that an
 * unknown or misspelt option is refused the same way everywhere: in one line, never Beam's
 * multi-line message.
 */
final class OptionArgs {
  private OptionArgs() {}

  /**
   * The options {@code args} set.
   *
   * @throws BadArguments with a one-line message naming what Beam refused
   */
  static GcsRewriteOptions parse(List<String> args) {
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

  /** Arguments a command cannot use; the message is the one line the user sees. */
  static final class BadArguments extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadArguments(String message) {
      super(message);
    }
  }
}
