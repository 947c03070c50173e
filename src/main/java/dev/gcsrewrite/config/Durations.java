package dev.gcsrewrite.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;

/**
 * Reads durations in the one form all duration options use: a number and a unit, optionally
 * repeated, e.g. {@code 90s}, {@code 10m}, {@code 1h30m}, {@code 7d}. Units: ms, s, m, h, d.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile(OptionPatterns.DURATION);
  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException if it is not a positive duration in the documented form
   */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a duration; write a number and a unit, e.g. 90s, 10m, 1h30m, 7d"
              + " (units ms, s, m, h, d)");
    }
    long millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      millis +=
          switch (part.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000L;
            case "m" -> amount * 60_000L;
            case "h" -> amount * 3_600_000L;
            default -> amount * 86_400_000L;
          };
    }
    if (millis <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not a positive duration");
    }
    return Duration.millis(millis);
  }
}
