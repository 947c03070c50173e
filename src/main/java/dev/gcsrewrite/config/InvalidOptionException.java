package dev.gcsrewrite.config;

/**
 * A pipeline option with a missing or malformed value. Its message is one line that starts with the
 * option, e.g. {@code --dedupeTtl: '10x' is not a duration ...}, fit to print as is.
 */
public final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidOptionException(String option, String problem) {
    super("--" + option + ": " + problem);
  }
}
