package dev.gcsrewrite.cli;

import static dev.gcsrewrite.replay.Replay.Decision.REPUBLISHED;
import static dev.gcsrewrite.replay.Replay.Decision.SKIPPED;
import static dev.gcsrewrite.replay.Replay.Decision.UNPUBLISHABLE;
import static dev.gcsrewrite.replay.Replay.Decision.UNRECOVERABLE;
import static dev.gcsrewrite.replay.Replay.Decision.WOULD_REPUBLISH;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.replay.DeadLetterArchive;
import dev.gcsrewrite.replay.DeadLetterSource;
import dev.gcsrewrite.replay.PubsubConnection;
import dev.gcsrewrite.replay.Replay;
import dev.gcsrewrite.replay.ReplayFilter;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code replay}: republishes dead letters' original messages, filtered, with the replay marker.
 *
 * <ul>
 *   <li>Reads the dead-letter subscription, or an archive written by {@code --archive}.
 *   <li>Acknowledges only what it republished; {@code --dry-run} changes nothing.
 *   <li>{@code --archive} writes each dead letter taken to a folder or bucket before acknowledging
 *       it, so that it outlives the subscription's 7-day retention.
 * </ul>
 */
final class ReplayCommand implements Command {
  static final String SYNOPSIS =
      "gcs-rewrite replay --from=SUBSCRIPTION|ARCHIVE [--to=TOPIC] [--errorType=T,...]"
          + " [--errorStage=S,...] [--failedAfter=TIME] [--failedBefore=TIME] [--max=N]"
          + " [--archive=FOLDER] [--dry-run] [--show=N] [--project=...] [--pubsubRootUrl=URL]";

  private static final Pattern SUBSCRIPTION = Pattern.compile("projects/[^/]+/subscriptions/[^/]+");
  private static final Pattern TOPIC = Pattern.compile("projects/[^/]+/topics/[^/]+");
  private static final Set<String> FLAGS =
      Set.of(
          "from",
          "to",
          "errorType",
          "errorStage",
          "failedAfter",
          "failedBefore",
          "max",
          "archive",
          "show");
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
    out.print(
        """
        usage: %s

          %s.
          --from=SUBSCRIPTION    the dead-letter subscription, projects/P/subscriptions/S;
                 or ARCHIVE      a folder or gs://bucket/prefix written by --archive
          --to=TOPIC             the notifications topic, projects/P/topics/T; required,
                                 but for --archive alone (archive, acknowledge, no replay)
          --errorType=T,...      only these reasons (e.g. SourceUnreadable)
          --errorStage=S,...     only these steps (e.g. WriteProcessedObjects)
          --failedAfter=TIME     only dead letters whose failedAt is at or after TIME
          --failedBefore=TIME    ... and before TIME (RFC 3339, e.g. 2026-11-23T10:00:00Z)
          --max=N                read at most N dead letters (default: until none is left)
          --archive=FOLDER       write each dead letter taken to FOLDER (a local folder or
                                 gs://bucket/prefix, one JSON file each) before acknowledging
          --dry-run              say what would be done: publish, write, acknowledge nothing
          --show=N               print the first N decisions (default %d)
          Pub/Sub is reached as the pipeline reaches it: Beam's --pubsubRootUrl (the
          emulator locally, with --credentialFactoryClass=...NoopCredentialFactory) and
          application-default credentials on Google Cloud.
          Dead letters not replayed (left by the filters, originals that cannot be read
          back whole, a dry run) stay on the subscription. Replaying a generation that
          was settled since is a duplicate to the pipeline: nothing is done twice.
          Exit status: 0 done, 2 bad arguments, 3 Pub/Sub or the archive unreachable.
        """
            .formatted(SYNOPSIS, summary(), DEFAULT_SHOW));
  }

  @Override
  public ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments arguments;
    PubsubOptions options;
    try {
      arguments = Arguments.parse(args);
      options = OptionArgs.parse(arguments.beamOptions).as(PubsubOptions.class);
    } catch (OptionArgs.BadArguments e) {
      err.println("replay: " + e.getMessage());
      return ExitCode.USAGE;
    }
    FileSystems.setDefaultPipelineOptions(options);
    boolean fromSubscription = SUBSCRIPTION.matcher(arguments.from).matches();
    try (PubsubClient pubsub = PubsubConnection.open(options)) {
      String missing =
          PubsubConnection.missing(
              pubsub,
              options.getPubsubRootUrl(),
              fromSubscription ? arguments.from : null,
              arguments.to);
      if (missing != null) {
        err.println("replay: " + missing);
        return ExitCode.USAGE;
      }
      DeadLetterSource source =
          fromSubscription
              ? DeadLetterSource.subscription(pubsub, arguments.from)
              : DeadLetterSource.archive(new DeadLetterArchive(arguments.from));
      return replay(arguments, source, pubsub, out, err);
    } catch (IOException e) {
      err.println("replay: " + OptionArgs.firstLine(e));
      return ExitCode.UNAVAILABLE;
    }
  }

  private static ExitCode replay(
      Arguments arguments,
      DeadLetterSource source,
      PubsubClient pubsub,
      PrintStream out,
      PrintStream err) {
    DeadLetterArchive archive =
        arguments.archive == null ? null : new DeadLetterArchive(arguments.archive);
    out.println(
        "replay: "
            + (arguments.dryRun ? "dry run, nothing changes: " : "")
            + "from "
            + source
            + (arguments.to == null ? "" : " to " + arguments.to)
            + (archive == null ? "" : ", archiving to " + archive)
            + "; taking "
            + arguments.filter.describe()
            + (arguments.max == 0 ? "" : ", at most " + arguments.max));
    int[] shown = {0};
    Replay replay =
        new Replay(
            source,
            pubsub,
            arguments.to,
            archive,
            arguments.filter,
            arguments.max,
            arguments.dryRun,
            (deadLetter, decision, detail) -> {
              if (shown[0]++ < arguments.show) {
                out.println(line(deadLetter, decision, detail, arguments.to == null));
              }
            });
    ExitCode code = ExitCode.OK;
    try {
      replay.run();
    } catch (IOException e) {
      err.println("replay: stopped: " + OptionArgs.firstLine(e));
      code = ExitCode.UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("replay: interrupted");
      code = ExitCode.UNAVAILABLE;
    }
    if (shown[0] > arguments.show) {
      out.println("  ... and " + (shown[0] - arguments.show) + " more (--show=N to see them)");
    }
    printSummary(replay.counts(), arguments, source.finite(), out);
    source.problems().forEach(problem -> err.println("replay: unreadable: " + problem));
    return code;
  }

  private static String line(
      IncomingMessage deadLetter, Replay.Decision decision, String detail, boolean archiveOnly) {
    return String.format(
        "  %-15s %s  %s/%s  failed %s  %s",
        decision == WOULD_REPUBLISH && archiveOnly
            ? "would archive"
            : decision.name().toLowerCase(Locale.ROOT).replace('_', ' '),
        deadLetter.recordId(),
        Replay.attribute(deadLetter, DeadLetterMessages.ERROR_STAGE),
        Replay.attribute(deadLetter, DeadLetterMessages.ERROR_TYPE),
        Replay.attribute(deadLetter, DeadLetterMessages.FAILED_AT),
        detail);
  }

  private static void printSummary(
      Replay.Counts counts, Arguments arguments, boolean fromArchive, PrintStream out) {
    boolean archiveOnly = arguments.to == null;
    String left = fromArchive ? "left in the archive" : "left on the subscription";
    out.println("Summary");
    out.printf("  read            %d dead letters%n", counts.read());
    out.printf("  matched         %d  %s%n", counts.matched(), reasons(counts.matchedByReason()));
    if (arguments.dryRun) {
      out.printf(
          "  would %s %d  (dry run: nothing published, written or acknowledged)%n",
          archiveOnly ? "archive  " : "republish", counts.of(WOULD_REPUBLISH));
    } else {
      if (!archiveOnly) {
        out.printf(
            "  republished     %d  (then acknowledged%s)%n",
            counts.of(REPUBLISHED), fromArchive ? "; archive files are kept" : "");
      }
      if (counts.archived() > 0 || archiveOnly) {
        out.printf("  archived        %d%n", counts.archived());
      }
    }
    out.printf(
        "  skipped         %d  by the filters, %s  %s%n",
        counts.of(SKIPPED), left, reasons(counts.skippedByReason()));
    out.printf(
        "  unrecoverable   %d  original not kept whole (truncated envelope), %s%n",
        counts.of(UNRECOVERABLE), left);
    out.printf(
        "  unpublishable   %d  original over a Pub/Sub limit, %s%n",
        counts.of(UNPUBLISHABLE), left);
  }

  private static String reasons(Map<String, Long> byReason) {
    return byReason.isEmpty() ? "" : byReason.toString();
  }

  /** The command's own flags, checked; everything else is for Beam's options. */
  private static final class Arguments {
    String from;
    @Nullable String to;
    @Nullable String archive;
    ReplayFilter filter;
    long max;
    boolean dryRun;
    int show;
    final List<String> beamOptions = new ArrayList<>();

    static Arguments parse(List<String> args) {
      Arguments parsed = new Arguments();
      Map<String, String> own = new HashMap<>();
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
        String name = arg.substring(2, equals < 0 ? arg.length() : equals);
        if (!FLAGS.contains(name)) {
          parsed.beamOptions.add(arg);
        } else if (equals < 0 || equals == arg.length() - 1) {
          throw new OptionArgs.BadArguments("--" + name + " needs a value (--" + name + "=...)");
        } else if (own.put(name, arg.substring(equals + 1)) != null) {
          throw new OptionArgs.BadArguments("--" + name + " given twice");
        }
      }
      parsed.from = own.get("from");
      parsed.to = own.get("to");
      parsed.archive = own.get("archive");
      if (parsed.from == null) {
        throw new OptionArgs.BadArguments(
            "--from=projects/P/subscriptions/S (or an archive folder) is required");
      }
      boolean fromSubscription = SUBSCRIPTION.matcher(parsed.from).matches();
      if (!fromSubscription && parsed.from.startsWith("projects/")) {
        throw new OptionArgs.BadArguments(
            "--from='" + parsed.from + "' is neither projects/P/subscriptions/S nor a folder");
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
      return value == null
          ? Set.of()
          : Arrays.stream(value.split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .collect(Collectors.toSet());
    }

    private static @Nullable Instant instant(String name, @Nullable String value) {
      try {
        return value == null ? null : Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new OptionArgs.BadArguments(
            "--" + name + "='" + value + "' is not an RFC 3339 time such as 2026-11-23T10:00:00Z");
      }
    }

    private static long number(String name, @Nullable String value, long otherwise) {
      if (value != null && !value.matches("[0-9]{1,18}")) {
        throw new OptionArgs.BadArguments("--" + name + "='" + value + "' is not a whole number");
      }
      return value == null ? otherwise : Long.parseLong(value);
    }
  }
}
