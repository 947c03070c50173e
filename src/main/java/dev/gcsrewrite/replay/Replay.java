package dev.gcsrewrite.replay;

import static dev.gcsrewrite.deadletter.DeadLetterMessages.ERROR_STAGE;
import static dev.gcsrewrite.deadletter.DeadLetterMessages.ERROR_TYPE;
import static dev.gcsrewrite.deadletter.DeadLetterMessages.FAILED_AT;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.deadletter.DeadLetterMessages.Recovered;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.OutgoingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.TopicPath;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessages;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Republishes the original messages of the dead letters a {@link ReplayRequest} takes, with the
 * replay marker {@value NotificationParser#REPLAY}, and prints what it did.
 *
 * <p>The marker takes a replayed notification past the pipeline's memory of the generation; the
 * Redis claim still decides, so replaying a settled generation is a harmless duplicate.
 *
 * <ul>
 *   <li>A dead letter is acknowledged only once its original was published, and written to the
 *       archive first when there is one. Should an acknowledgement be lost, the dead letter comes
 *       back and is republished again: a duplicate, which the claim drops.
 *   <li>With an archive and no topic, the dead letters taken are written, then acknowledged.
 *   <li>Everything else stays on the subscription, held while the replay runs and released at the
 *       end: dead letters the filters leave, originals not kept whole or over a Pub/Sub limit, and
 *       everything in a dry run.
 *   <li>Each dead letter is counted and decided once, however often it is delivered.
 *   <li>An archive read from is never changed; a file that cannot be read is skipped and listed in
 *       {@link #unreadable}.
 * </ul>
 *
 * <pre>{@code
 * new Replay(request, PubsubConnection.open(options), System.out).run();
 * }</pre>
 */
public final class Replay {
  /** Dead letters per pull; fewer than Pub/Sub's 1,000 messages per publish. */
  private static final int BATCH = 100;

  /** Empty pulls in a row, a second apart, that end a replay from a subscription. */
  private static final int IDLE_PULLS = 3;

  private enum Decision {
    REPUBLISHED,
    WOULD_REPUBLISH,
    ARCHIVED,
    SKIPPED,
    UNRECOVERABLE,
    UNPUBLISHABLE
  }

  private final ReplayRequest request;
  private final PubsubClient pubsub;
  private final PrintStream out;
  private final DeadLetterSource source;
  private final @Nullable TopicPath topic;
  private final @Nullable DeadLetterArchive archive;
  private final long limit;

  private long read;
  private long archived;
  private long shown;
  private final Map<Decision, Long> decided = new EnumMap<>(Decision.class);
  private final Map<String, Long> matchedByReason = new TreeMap<>();
  private final Map<String, Long> skippedByReason = new TreeMap<>();

  /** Dead letters read and not acknowledged, by message ID: their latest delivery. */
  private final Map<String, IncomingMessage> held = new LinkedHashMap<>();

  private final Set<String> acknowledged = new HashSet<>();

  /** A replay that publishes with {@code pubsub} and prints to {@code out}; lists an archive. */
  public Replay(ReplayRequest request, PubsubClient pubsub, PrintStream out) throws IOException {
    this.request = request;
    this.pubsub = pubsub;
    this.out = out;
    this.source = new DeadLetterSource(request, pubsub);
    this.topic = request.to() == null ? null : PubsubClient.topicPathFromPath(request.to());
    this.archive = request.archive() == null ? null : new DeadLetterArchive(request.archive());
    this.limit = request.max() == 0 ? Long.MAX_VALUE : request.max();
  }

  /**
   * Prints what it will do, replays until the source is empty or {@code max} dead letters were
   * read, releases the rest, and prints a summary, also when it stops on a failure.
   *
   * @throws IOException if Pub/Sub or an archive failed: what was replayed stays replayed, the rest
   *     stays on the subscription
   */
  public void run() throws IOException, InterruptedException {
    printHeader();
    // Released even after a failure, which stays the one reported (held ones return in 10 minutes).
    try (Closeable release = () -> source.release(List.copyOf(held.values()))) {
      int idle = 0;
      while (read < limit && idle < IDLE_PULLS) {
        if (step(source.pull((int) Math.min(BATCH, limit - read)))) {
          idle = 0;
        } else if (!request.fromSubscription()) {
          break;
        } else if (++idle < IDLE_PULLS) {
          Thread.sleep(1000); // a subscription may answer empty while it still has messages
        }
      }
    } finally {
      printSummary();
    }
  }

  /** The archive's files that could not be read, so were neither counted nor replayed. */
  public List<String> unreadable() {
    return source.unreadable;
  }

  /** Handles one pull; returns whether it brought a dead letter not seen before. */
  private boolean step(List<IncomingMessage> batch) throws IOException {
    long readBefore = read;
    List<IncomingMessage> hold = new ArrayList<>();
    List<IncomingMessage> again = new ArrayList<>();
    Map<IncomingMessage, PubsubMessage> taken = new LinkedHashMap<>();
    for (IncomingMessage deadLetter : batch) {
      String id = deadLetter.recordId();
      if (acknowledged.contains(id)) {
        again.add(deadLetter); // delivered again: the acknowledgement was lost
        continue;
      }
      boolean seen = held.put(id, deadLetter) != null;
      PubsubMessage replay = seen || read >= limit ? null : decide(deadLetter);
      if (replay == null) {
        hold.add(deadLetter);
      } else {
        taken.put(deadLetter, replay);
      }
    }
    source.hold(hold);
    source.acknowledge(again);
    if (archive != null) {
      for (IncomingMessage deadLetter : taken.keySet()) {
        archive.write(deadLetter);
        archived++;
      }
    }
    if (topic == null) {
      settle(List.copyOf(taken.keySet()), Decision.ARCHIVED, d -> "written to " + archive);
    } else {
      publish(taken);
    }
    return read > readBefore;
  }

  /** Counts and reports a fresh dead letter; returns its replay, or null if it stays. */
  private @Nullable PubsubMessage decide(IncomingMessage deadLetter) {
    read++;
    String reason = attribute(deadLetter, ERROR_STAGE) + "/" + attribute(deadLetter, ERROR_TYPE);
    if (!request.matches(deadLetter.message().getAttributesMap())) {
      skippedByReason.merge(reason, 1L, Long::sum);
      return report(deadLetter, Decision.SKIPPED, "not taken by the filters");
    }
    matchedByReason.merge(reason, 1L, Long::sum);
    Recovered recovered;
    try {
      recovered = DeadLetterMessages.originalOf(PubsubMessages.fromProto(deadLetter.message()));
    } catch (IllegalArgumentException e) {
      return report(deadLetter, Decision.UNRECOVERABLE, e.getMessage());
    }
    if (!recovered.whole()) {
      return report(
          deadLetter,
          Decision.UNRECOVERABLE,
          "the dead letter kept only part of the original (payloadTruncated/droppedAttributes)");
    }
    // The marker's value is the dead letter's ID: replaying it twice sends the same message twice.
    Map<String, String> attributes = new TreeMap<>(recovered.original().attributes());
    attributes.put(NotificationParser.REPLAY, "dead letter " + deadLetter.recordId());
    PubsubMessage replay = new PubsubMessage(recovered.original().payload(), attributes);
    String problem = PubsubLimits.problem(replay.getPayload(), attributes);
    if (problem != null) {
      return report(deadLetter, Decision.UNPUBLISHABLE, problem);
    }
    return request.dryRun()
        ? report(deadLetter, Decision.WOULD_REPUBLISH, describe(replay))
        : replay;
  }

  /** Publishes in requests within Pub/Sub's limits, acknowledging each one's dead letters. */
  private void publish(Map<IncomingMessage, PubsubMessage> taken) throws IOException {
    long now = System.currentTimeMillis();
    for (List<IncomingMessage> chunk :
        PubsubLimits.requests(List.copyOf(taken.keySet()), taken::get)) {
      int published =
          pubsub.publish(
              topic,
              chunk.stream().map(d -> OutgoingMessage.of(taken.get(d), now, null, null)).toList());
      if (published != chunk.size()) {
        throw new IOException(
            String.format(
                "Pub/Sub took %d of %d messages for %s", published, chunk.size(), topic.getPath()));
      }
      settle(chunk, Decision.REPUBLISHED, d -> describe(taken.get(d)));
    }
  }

  /** Reports these dead letters' decision, then acknowledges them. */
  private void settle(
      List<IncomingMessage> deadLetters,
      Decision decision,
      Function<IncomingMessage, String> detail)
      throws IOException {
    for (IncomingMessage deadLetter : deadLetters) {
      acknowledged.add(deadLetter.recordId());
      held.remove(deadLetter.recordId());
      report(deadLetter, decision, detail.apply(deadLetter));
    }
    source.acknowledge(deadLetters);
  }

  private @Nullable PubsubMessage report(
      IncomingMessage deadLetter, Decision decision, String detail) {
    decided.merge(decision, 1L, Long::sum);
    if (shown++ < request.show()) {
      out.printf(
          "  %-15s %s  %s/%s  failed %s  %s%n",
          decision == Decision.WOULD_REPUBLISH && topic == null
              ? "would archive"
              : decision.name().toLowerCase(Locale.ROOT).replace('_', ' '),
          deadLetter.recordId(),
          attribute(deadLetter, ERROR_STAGE),
          attribute(deadLetter, ERROR_TYPE),
          attribute(deadLetter, FAILED_AT),
          detail);
    }
    return null;
  }

  private void printHeader() {
    out.println(
        "replay: "
            + (request.dryRun() ? "dry run, nothing changes: " : "")
            + "from "
            + (request.fromSubscription() ? "" : "archive ")
            + request.from()
            + (topic == null ? "" : " to " + request.to())
            + (archive == null ? "" : ", archiving to " + archive)
            + "; taking "
            + request.filters()
            + (request.max() == 0 ? "" : ", at most " + request.max()));
  }

  private void printSummary() {
    if (shown > request.show()) {
      out.println("  ... and " + (shown - request.show()) + " more (--show=N to see them)");
    }
    String left = request.fromSubscription() ? "left on the subscription" : "left in the archive";
    out.println("Summary");
    row("read", read, " dead letters");
    long matched = matchedByReason.values().stream().mapToLong(Long::longValue).sum();
    row("matched", matched, "  " + reasons(matchedByReason));
    if (request.dryRun()) {
      row(
          topic == null ? "would archive" : "would republish",
          count(Decision.WOULD_REPUBLISH),
          "  (dry run: nothing published, written or acknowledged)");
    } else {
      if (topic != null) {
        String kept = request.fromSubscription() ? "" : "; archive files are kept";
        row("republished", count(Decision.REPUBLISHED), "  (then acknowledged" + kept + ")");
      }
      if (archived > 0 || topic == null) {
        row("archived", archived, "");
      }
    }
    String skipped = "  by the filters, " + left + "  " + reasons(skippedByReason);
    row("skipped", count(Decision.SKIPPED), skipped);
    String unrecoverable = "  original not kept whole (truncated envelope), " + left;
    row("unrecoverable", count(Decision.UNRECOVERABLE), unrecoverable);
    row("unpublishable", count(Decision.UNPUBLISHABLE), "  original over a Pub/Sub limit, " + left);
  }

  /** One line of the summary: the label, the count, then {@code detail}. */
  private void row(String label, long count, String detail) {
    out.printf("  %-15s %d%s%n", label, count, detail);
  }

  private long count(Decision decision) {
    return decided.getOrDefault(decision, 0L);
  }

  private static String reasons(Map<String, Long> byReason) {
    return byReason.isEmpty() ? "" : byReason.toString();
  }

  private static String attribute(IncomingMessage deadLetter, String key) {
    return deadLetter.message().getAttributesOrDefault(key, "?");
  }

  /** {@code gs://bucket/object#generation} when the original says. */
  private static String describe(PubsubMessage replay) {
    String bucket = replay.getAttribute("bucketId");
    String object = replay.getAttribute("objectId");
    if (bucket == null || object == null) {
      return "original without bucketId/objectId attributes ("
          + replay.getPayload().length
          + " bytes)";
    }
    String generation = replay.getAttribute("objectGeneration");
    return "gs://" + bucket + "/" + object + (generation == null ? "" : "#" + generation);
  }
}
