package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.replay.DeadLetterArchive;
import dev.gcsrewrite.replay.DeadLetterSource;
import dev.gcsrewrite.replay.PubsubConnection;
import dev.gcsrewrite.replay.PubsubUnavailableException;
import dev.gcsrewrite.replay.PulledDeadLetter;
import dev.gcsrewrite.replay.Replay;
import dev.gcsrewrite.replay.ReplayCounts;
import dev.gcsrewrite.replay.ReplayFilter;
import dev.gcsrewrite.replay.ReplayTarget;
import dev.gcsrewrite.replay.SubscriptionSource;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code replay}: takes dead letters off the dead-letter subscription (or out of an archive),
 * filtered by reason, step and time, and republishes each one's original message to the
 * notifications topic with the replay marker. Acknowledges only what it republished; {@code
 * --dry-run} says what it would do and changes nothing. With {@code --archive}, each dead letter is
 * written to a folder or bucket before it is acknowledged, so it outlives the subscription's 7-day
 * retention.
 */
final class ReplayCommand implements Command {
  static final String SYNOPSIS =
      "gcs-rewrite replay --from=SUBSCRIPTION|ARCHIVE [--to=TOPIC] [--errorType=T,...]"
          + " [--errorStage=S,...] [--failedAfter=TIME] [--failedBefore=TIME] [--max=N]"
          + " [--archive=FOLDER] [--dry-run] [--show=N] [--project=...] [--pubsubRootUrl=URL]";

  private static final Pattern SUBSCRIPTION = Pattern.compile("projects/[^/]+/subscriptions/[^/]+");
  private static final Pattern TOPIC = Pattern.compile("projects/[^/]+/topics/[^/]+");
  private static final int DEFAULT_SHOW = 20;

  @Override
  public String name() {
    return "replay";
  }

  @Override
  public String summary() {
    return "republish dead letters' original messages, filtered, with the replay marker";
  }

  @Override
  public String synopsis() {
    return SYNOPSIS;
  }

  @Override
  public void printHelp(PrintStream out) {
    out.println("usage: " + SYNOPSIS);
    out.println();
    out.println("  " + summary() + ".");
    out.println(
        "  --from=SUBSCRIPTION    the dead-letter subscription, projects/P/subscriptions/S;");
    out.println("         or ARCHIVE      a folder or gs://bucket/prefix written by --archive");
    out.println("  --to=TOPIC             the notifications topic, projects/P/topics/T; required,");
    out.println(
        "                         but for --archive alone (archive, acknowledge, no replay)");
    out.println("  --errorType=T,...      only these reasons (e.g. SourceUnreadable)");
    out.println("  --errorStage=S,...     only these steps (e.g. WriteProcessedObjects)");
    out.println("  --failedAfter=TIME     only dead letters whose failedAt is at or after TIME");
    out.println(
        "  --failedBefore=TIME    ... and before TIME (RFC 3339, e.g. 2026-11-23T10:00:00Z)");
    out.println(
        "  --max=N                read at most N dead letters (default: until none is left)");
    out.println(
        "  --archive=FOLDER       write each dead letter taken to FOLDER (a local folder or");
    out.println(
        "                         gs://bucket/prefix, one JSON file each) before acknowledging");
    out.println(
        "  --dry-run              say what would be done: publish, write, acknowledge nothing");
    out.println(
        "  --show=N               print the first N decisions (default " + DEFAULT_SHOW + ")");
    out.println("  Pub/Sub is reached as the pipeline reaches it: Beam's --pubsubRootUrl (the");
    out.println("  emulator locally, with --credentialFactoryClass=...NoopCredentialFactory) and");
    out.println("  application-default credentials on Google Cloud.");
    out.println("  Dead letters not replayed (left by the filters, originals that cannot be read");
    out.println("  back whole, a dry run) stay on the subscription. Replaying a generation that");
    out.println("  was settled since is a duplicate to the pipeline: nothing is done twice.");
    out.println("  Exit status: 0 done, 2 bad arguments, 3 Pub/Sub or the archive unreachable.");
  }

  @Override
  public ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments arguments;
    PubsubOptions options;
    try {
      arguments = Arguments.parse(args);
      GcsRewriteOptions parsed = OptionArgs.parse(arguments.beamOptions);
      options = parsed.as(PubsubOptions.class);
    } catch (OptionArgs.BadArguments e) {
      err.println("replay: " + e.getMessage());
      return ExitCode.USAGE;
    }
    FileSystems.setDefaultPipelineOptions(options);

    DeadLetterArchive archive =
        arguments.archive == null ? null : new DeadLetterArchive(arguments.archive);
    boolean fromSubscription = SUBSCRIPTION.matcher(arguments.from).matches();
    try (PubsubConnection pubsub =
        fromSubscription || arguments.to != null ? PubsubConnection.open(options) : null) {
      String problem =
          pubsub == null
              ? null
              : pubsub.missing(fromSubscription ? arguments.from : null, arguments.to);
      if (problem != null) {
        err.println("replay: " + problem);
        return ExitCode.USAGE;
      }
      ReplayTarget target = arguments.to == null ? null : new ReplayTarget(pubsub, arguments.to);
      try (DeadLetterSource source =
          fromSubscription
              ? new SubscriptionSource(pubsub, arguments.from)
              : new DeadLetterArchive(arguments.from).source()) {
        return replay(arguments, source, target, archive, out, err);
      }
    } catch (PubsubUnavailableException e) {
      err.println("replay: " + e.getMessage());
      return ExitCode.UNAVAILABLE;
    } catch (IOException e) {
      err.println("replay: " + oneLine(e));
      return ExitCode.UNAVAILABLE;
    }
  }

  private static ExitCode replay(
      Arguments arguments,
      DeadLetterSource source,
      @Nullable ReplayTarget target,
      @Nullable DeadLetterArchive archive,
      PrintStream out,
      PrintStream err) {
    out.println(
        "replay: "
            + (arguments.dryRun ? "dry run, nothing changes: " : "")
            + "from "
            + source.describe()
            + (target == null ? "" : " to " + target.describe())
            + (archive == null ? "" : ", archiving to " + archive.location())
            + "; taking "
            + arguments.filter.describe()
            + (arguments.max == 0 ? "" : ", at most " + arguments.max));
    int[] shown = {0};
    Replay replay =
        new Replay(
            source,
            target,
            archive,
            arguments.filter,
            arguments.max,
            arguments.dryRun,
            (deadLetter, decision, detail) -> {
              if (shown[0]++ < arguments.show) {
                out.println(line(deadLetter, decision, detail, target == null));
              }
            });
    ExitCode code = ExitCode.OK;
    try {
      replay.run();
    } catch (IOException e) {
      err.println("replay: stopped: " + oneLine(e));
      code = ExitCode.UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("replay: interrupted");
      code = ExitCode.UNAVAILABLE;
    }
    if (shown[0] > arguments.show) {
      out.println("  ... and " + (shown[0] - arguments.show) + " more (--show=N to see them)");
    }
    printSummary(replay.counts(), arguments.dryRun, target == null, fromArchive(source), out);
    source.problems().forEach(problem -> err.println("replay: unreadable: " + problem));
    return code;
  }

  private static boolean fromArchive(DeadLetterSource source) {
    return source.finite();
  }

  private static String line(
      PulledDeadLetter deadLetter, Replay.Decision decision, String detail, boolean archiveOnly) {
    String verb =
        switch (decision) {
          case REPUBLISHED -> "republished";
          case WOULD_REPUBLISH -> archiveOnly ? "would archive" : "would republish";
          case ARCHIVED -> "archived";
          case SKIPPED -> "skipped";
          case UNRECOVERABLE -> "unrecoverable";
          case UNPUBLISHABLE -> "unpublishable";
        };
    return String.format(
        "  %-15s %s  %s/%s  failed %s  %s",
        verb,
        deadLetter.messageId(),
        deadLetter.attribute(DeadLetterMessages.ERROR_STAGE),
        deadLetter.attribute(DeadLetterMessages.ERROR_TYPE),
        deadLetter.attribute(DeadLetterMessages.FAILED_AT),
        detail);
  }

  private static void printSummary(
      ReplayCounts counts,
      boolean dryRun,
      boolean archiveOnly,
      boolean fromArchive,
      PrintStream out) {
    String left = fromArchive ? "left in the archive" : "left on the subscription";
    out.println("Summary");
    out.printf("  read            %d dead letters%n", counts.pulled());
    out.printf("  matched         %d  %s%n", counts.matched(), reasons(counts.matchedByReason()));
    if (dryRun) {
      out.printf(
          "  would %s %d  (dry run: nothing published, written or acknowledged)%n",
          archiveOnly ? "archive  " : "republish", counts.wouldRepublish());
    } else {
      if (!archiveOnly) {
        out.printf(
            "  republished     %d  (then acknowledged%s)%n",
            counts.republished(), fromArchive ? "; archive files are kept" : "");
      }
      if (counts.archived() > 0 || archiveOnly) {
        out.printf("  archived        %d%n", counts.archived());
      }
    }
    out.printf(
        "  skipped         %d  by the filters, %s  %s%n",
        counts.skippedByFilter(), left, reasons(counts.skippedByReason()));
    out.printf(
        "  unrecoverable   %d  original not kept whole (truncated envelope), %s%n",
        counts.unrecoverable(), left);
    out.printf(
        "  unpublishable   %d  original over a Pub/Sub limit, %s%n", counts.unpublishable(), left);
  }

  private static String reasons(Map<String, Long> byReason) {
    return byReason.isEmpty() ? "" : byReason.toString();
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage();
    String text = message == null ? e.getClass().getSimpleName() : message;
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** The command's own flags, checked; everything else is for Beam's options. */
  private static final class Arguments {
    String from;
    @Nullable String to;
    @Nullable String archive;
    ReplayFilter filter = ReplayFilter.ALL;
    long max;
    boolean dryRun;
    int show = DEFAULT_SHOW;
    final List<String> beamOptions = new ArrayList<>();

    static Arguments parse(List<String> args) {
      Arguments parsed = new Arguments();
      Map<String, String> own = new LinkedHashMap<>();
      for (String arg : args) {
        if (arg.equals("--dry-run")) {
          parsed.dryRun = true;
          continue;
        }
        if (!arg.startsWith("--")) {
          throw new OptionArgs.BadArguments(
              "unexpected argument '" + arg + "' (see replay --help)");
        }
        int equals = arg.indexOf('=');
        String name = equals < 0 ? arg.substring(2) : arg.substring(2, equals);
        if (Set.of(
                "from",
                "to",
                "errorType",
                "errorStage",
                "failedAfter",
                "failedBefore",
                "max",
                "archive",
                "show")
            .contains(name)) {
          if (equals < 0 || equals == arg.length() - 1) {
            throw new OptionArgs.BadArguments("--" + name + " needs a value (--" + name + "=...)");
          }
          if (own.put(name, arg.substring(equals + 1)) != null) {
            throw new OptionArgs.BadArguments("--" + name + " given twice");
          }
        } else {
          parsed.beamOptions.add(arg);
        }
      }
      String from = own.get("from");
      if (from == null) {
        throw new OptionArgs.BadArguments(
            "--from=projects/P/subscriptions/S (or an archive folder) is required");
      }
      parsed.from = from;
      parsed.to = own.get("to");
      parsed.archive = own.get("archive");
      boolean fromSubscription = SUBSCRIPTION.matcher(from).matches();
      if (!fromSubscription && from.startsWith("projects/")) {
        throw new OptionArgs.BadArguments(
            "--from='" + from + "' is neither projects/P/subscriptions/S nor a folder");
      }
      if (parsed.to != null && !TOPIC.matcher(parsed.to).matches()) {
        throw new OptionArgs.BadArguments("--to='" + parsed.to + "' is not projects/P/topics/T");
      }
      if (parsed.to == null && (parsed.archive == null || !fromSubscription)) {
        throw new OptionArgs.BadArguments(
            "--to=projects/P/topics/T is required (only --archive from a subscription goes without)");
      }
      parsed.filter =
          new ReplayFilter(
              list(own.get("errorType")),
              list(own.get("errorStage")),
              instant("failedAfter", own.get("failedAfter")),
              instant("failedBefore", own.get("failedBefore")));
      parsed.max = number("max", own.get("max"), 0);
      parsed.show =
          (int) Math.min(Integer.MAX_VALUE, number("show", own.get("show"), DEFAULT_SHOW));
      return parsed;
    }

    private static Set<String> list(@Nullable String value) {
      if (value == null) {
        return Set.of();
      }
      return Arrays.stream(value.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
    }

    private static @Nullable Instant instant(String name, @Nullable String value) {
      if (value == null) {
        return null;
      }
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new OptionArgs.BadArguments(
            "--" + name + "='" + value + "' is not an RFC 3339 time such as 2026-11-23T10:00:00Z");
      }
    }

    private static long number(String name, @Nullable String value, long otherwise) {
      if (value == null) {
        return otherwise;
      }
      if (!value.matches("[0-9]{1,18}")) {
        throw new OptionArgs.BadArguments("--" + name + "='" + value + "' is not a whole number");
      }
      return Long.parseLong(value);
    }
  }
}
