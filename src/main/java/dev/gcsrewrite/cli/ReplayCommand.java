package dev.gcsrewrite.cli;

import dev.gcsrewrite.replay.PubsubConnection;
import dev.gcsrewrite.replay.Replay;
import dev.gcsrewrite.replay.ReplayRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
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
final class ReplayCommand extends Command {
  private static final Pattern TOPIC = Pattern.compile("projects/[^/]+/topics/[^/]+");
  private static final String FLAGS =
      "from= to= errorType= errorStage= failedAfter= failedBefore= max= archive= show= dry-run";
  private static final int DEFAULT_SHOW = 20;

  ReplayCommand() {
    super(
        "replay",
        "republish dead letters' original messages, filtered, with the replay marker",
        "gcs-rewrite replay --from=SUBSCRIPTION|ARCHIVE [--to=TOPIC] [--errorType=T,...]"
            + " [--errorStage=S,...] [--failedAfter=TIME] [--failedBefore=TIME] [--max=N]"
            + " [--archive=FOLDER] [--dry-run] [--show=N] [--project=...] [--pubsubRootUrl=URL]",
        """
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
            .formatted(DEFAULT_SHOW));
  }

  @Override
  ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments parsed = parse(args, 0, FLAGS);
    ReplayRequest request = request(parsed);
    PubsubOptions options = parseOptions(parsed.pipelineArgs).as(PubsubOptions.class);
    FileSystems.setDefaultPipelineOptions(options);
    try (PubsubClient pubsub = PubsubConnection.open(options)) {
      String missing =
          PubsubConnection.missing(
              pubsub,
              options.getPubsubRootUrl(),
              request.fromSubscription() ? request.from() : null,
              request.to());
      if (missing != null) {
        err.println("replay: " + missing);
        return ExitCode.USAGE;
      }
      Replay replay = new Replay(request, pubsub, out);
      try {
        replay.run();
        return ExitCode.OK;
      } catch (IOException e) {
        err.println("replay: stopped: " + firstLine(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        err.println("replay: interrupted");
      } finally {
        replay.unreadable().forEach(problem -> err.println("replay: unreadable: " + problem));
      }
      return ExitCode.UNAVAILABLE;
    } catch (IOException e) {
      err.println("replay: " + firstLine(e));
      return ExitCode.UNAVAILABLE;
    }
  }

  /** The request the command's own arguments make. */
  private static ReplayRequest request(Arguments own) {
    String from = own.get("from");
    String to = own.get("to");
    if (from == null) {
      throw new BadArguments(
          "--from=projects/P/subscriptions/S (or an archive folder) is required");
    }
    boolean fromSubscription = ReplayRequest.SUBSCRIPTION.matcher(from).matches();
    if (!fromSubscription && from.startsWith("projects/")) {
      throw new BadArguments(
          "--from='" + from + "' is neither projects/P/subscriptions/S nor a folder");
    }
    if (to != null && !TOPIC.matcher(to).matches()) {
      throw new BadArguments("--to='" + to + "' is not projects/P/topics/T");
    }
    if (to == null && (own.get("archive") == null || !fromSubscription)) {
      throw new BadArguments(
          "--to=projects/P/topics/T is required (only --archive from a subscription goes without)");
    }
    return new ReplayRequest(
        from,
        to,
        own.get("archive"),
        list(own.get("errorType")),
        list(own.get("errorStage")),
        own.time("failedAfter"),
        own.time("failedBefore"),
        own.number("max", 0),
        own.has("dry-run"),
        (int) Math.min(Integer.MAX_VALUE, own.number("show", DEFAULT_SHOW)));
  }

  private static Set<String> list(@Nullable String value) {
    return value == null
        ? Set.of()
        : Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
  }
}
