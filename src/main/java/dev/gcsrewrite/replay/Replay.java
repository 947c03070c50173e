package dev.gcsrewrite.replay;

import static dev.gcsrewrite.deadletter.DeadLetterMessages.ERROR_STAGE;
import static dev.gcsrewrite.deadletter.DeadLetterMessages.ERROR_TYPE;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.deadletter.DeadLetterMessages.Recovered;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Republishes the original messages of the dead letters a filter takes, with the replay marker
 * {@value NotificationParser#REPLAY}.
 *
 * <p>The marker takes a replayed notification past the pipeline's memory of the generation; the
 * Redis claim still decides, so replaying a settled generation is a harmless duplicate.
 *
 * <ul>
 *   <li>A dead letter is acknowledged only once its original was published, and written to the
 *       archive first when there is one. Should an acknowledgement be lost, the dead letter comes
 *       back and is republished again: a duplicate, which the claim drops.
 *   <li>With an archive and no topic, the dead letters taken are written and then acknowledged:
 *       moved off the subscription.
 *   <li>Everything else stays on the subscription, held while the replay runs and released at the
 *       end: dead letters the filter leaves, originals not kept whole, originals over a Pub/Sub
 *       limit, and everything in a dry run.
 *   <li>Each dead letter is counted and decided once, however often it is delivered.
 * </ul>
 */
public final class Replay {
  /** Dead letters per pull; below Pub/Sub's 1,000 messages per publish. */
  static final int BATCH = 100;

  /** Bytes per publish request, below Pub/Sub's 10 MB. */
  static final long MAX_BYTES_PER_PUBLISH = 9_000_000L;

  /** Empty pulls in a row that end a replay from a subscription. */
  static final int IDLE_PULLS = 3;

  static final Duration IDLE_PAUSE = Duration.ofSeconds(1);

  /** What became of one dead letter. */
  public enum Decision {
    REPUBLISHED,
    WOULD_REPUBLISH,
    ARCHIVED,
    SKIPPED,
    UNRECOVERABLE,
    UNPUBLISHABLE
  }

  /** Hears of each dead letter's fate as it is decided. */
  @FunctionalInterface
  public interface Listener {
    void decided(IncomingMessage deadLetter, Decision decision, String detail);
  }

  /** What a replay did, each dead letter counted once. */
  public static final class Counts {
    private long read;
    private long archived;
    private final Map<Decision, Long> decided = new EnumMap<>(Decision.class);
    private final Map<String, Long> matchedByReason = new TreeMap<>();
    private final Map<String, Long> skippedByReason = new TreeMap<>();

    /** Dead letters read from the source. */
    public long read() {
      return read;
    }

    /** Dead letters the filter took. */
    public long matched() {
      return matchedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dead letters written to the archive. */
    public long archived() {
      return archived;
    }

    /** Dead letters that met {@code decision}. */
    public long of(Decision decision) {
      return decided.getOrDefault(decision, 0L);
    }

    /** Dead letters the filter took, per {@code errorStage/errorType}. */
    public Map<String, Long> matchedByReason() {
      return matchedByReason;
    }

    /** Dead letters the filter left, per {@code errorStage/errorType}. */
    public Map<String, Long> skippedByReason() {
      return skippedByReason;
    }
  }

  private final DeadLetterSource source;
  private final @Nullable PubsubClient pubsub;
  private final @Nullable TopicPath topic;
  private final @Nullable DeadLetterArchive archive;
  private final ReplayFilter filter;
  private final long max;
  private final boolean dryRun;
  private final Listener listener;
  private final Counts counts = new Counts();

  /** Dead letters of this run not acknowledged, by message ID: their latest delivery. */
  private final Map<String, IncomingMessage> held = new LinkedHashMap<>();

  private final Set<String> acknowledged = new HashSet<>();

  /**
   * @param source where the dead letters are read
   * @param pubsub the client to publish with, or null to archive only
   * @param topic where originals are republished, {@code projects/P/topics/T}, or null
   * @param archive where dead letters are written before they are acknowledged, or null
   * @param filter which dead letters to take
   * @param max the most dead letters to read, or 0 for all
   * @param dryRun decide, but publish, write and acknowledge nothing
   * @param listener hears each decision
   */
  public Replay(
      DeadLetterSource source,
      @Nullable PubsubClient pubsub,
      @Nullable String topic,
      @Nullable DeadLetterArchive archive,
      ReplayFilter filter,
      long max,
      boolean dryRun,
      Listener listener) {
    if (topic == null && archive == null) {
      throw new IllegalArgumentException("a replay needs a topic or an archive");
    }
    this.source = source;
    this.pubsub = pubsub;
    this.topic = topic == null ? null : PubsubClient.topicPathFromPath(topic);
    this.archive = archive;
    this.filter = filter;
    this.max = max;
    this.dryRun = dryRun;
    this.listener = listener;
  }

  /** The counts so far: after {@link #run}, or after it failed. */
  public Counts counts() {
    return counts;
  }

  /**
   * Reads the source until it is empty or {@code max} dead letters were read, replays what the
   * filter takes, and releases the rest.
   *
   * @throws IOException if the source, the topic or the archive failed; what was replayed stays
   *     replayed, the rest stays on the subscription
   */
  public void run() throws IOException, InterruptedException {
    Exception failure = null;
    try {
      int idle = 0;
      while ((max == 0 || counts.read < max) && idle < IDLE_PULLS) {
        if (step(source.pull((int) Math.min(BATCH, max == 0 ? BATCH : max - counts.read)))) {
          idle = 0;
        } else if (source.finite()) {
          break;
        } else if (++idle < IDLE_PULLS) {
          Thread.sleep(IDLE_PAUSE.toMillis());
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      try {
        source.release(new ArrayList<>(held.values()));
      } catch (IOException e) {
        // The first failure is the one to report: held messages come back within 10 minutes.
        if (failure == null) {
          throw e;
        }
        failure.addSuppressed(e);
      }
    }
  }

  /** Handles one pull; returns whether it brought a dead letter not seen before. */
  private boolean step(List<IncomingMessage> batch) throws IOException {
    long readBefore = counts.read;
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
      if (seen || (max != 0 && counts.read >= max)) {
        hold.add(deadLetter);
        continue;
      }
      counts.read++;
      PubsubMessage replay = decide(deadLetter);
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
        counts.archived++;
      }
    }
    if (topic == null) {
      settle(List.copyOf(taken.keySet()), Decision.ARCHIVED, d -> "written to " + archive);
    } else {
      publish(taken);
    }
    return counts.read > readBefore;
  }

  /** Counts and reports a fresh dead letter; returns its replay, or null if it stays. */
  private @Nullable PubsubMessage decide(IncomingMessage deadLetter) {
    String reason = attribute(deadLetter, ERROR_STAGE) + "/" + attribute(deadLetter, ERROR_TYPE);
    if (!filter.matches(deadLetter.message().getAttributesMap())) {
      counts.skippedByReason.merge(reason, 1L, Long::sum);
      return stays(deadLetter, Decision.SKIPPED, "not taken by the filters");
    }
    counts.matchedByReason.merge(reason, 1L, Long::sum);
    Recovered recovered;
    try {
      recovered = DeadLetterMessages.originalOf(PubsubMessages.fromProto(deadLetter.message()));
    } catch (IllegalArgumentException e) {
      return stays(deadLetter, Decision.UNRECOVERABLE, e.getMessage());
    }
    if (!recovered.whole()) {
      return stays(
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
      return stays(deadLetter, Decision.UNPUBLISHABLE, problem);
    }
    return dryRun ? stays(deadLetter, Decision.WOULD_REPUBLISH, describe(replay)) : replay;
  }

  private @Nullable PubsubMessage stays(
      IncomingMessage deadLetter, Decision decision, String detail) {
    counts.decided.merge(decision, 1L, Long::sum);
    listener.decided(deadLetter, decision, detail);
    return null;
  }

  /** Publishes in requests within Pub/Sub's size limit, acknowledging each one's dead letters. */
  private void publish(Map<IncomingMessage, PubsubMessage> taken) throws IOException {
    List<IncomingMessage> request = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<IncomingMessage, PubsubMessage> entry : taken.entrySet()) {
      PubsubMessage replay = entry.getValue();
      long size = PubsubLimits.messageBytes(replay.getPayload().length, replay.getAttributeMap());
      if (bytes + size > MAX_BYTES_PER_PUBLISH) { // never for the first: each fits PubsubLimits
        publish(request, taken);
        request = new ArrayList<>();
        bytes = 0;
      }
      request.add(entry.getKey());
      bytes += size;
    }
    publish(request, taken);
  }

  private void publish(List<IncomingMessage> request, Map<IncomingMessage, PubsubMessage> taken)
      throws IOException {
    if (request.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    int published =
        pubsub.publish(
            topic,
            request.stream().map(d -> OutgoingMessage.of(taken.get(d), now, null, null)).toList());
    if (published != request.size()) {
      throw new IOException(
          String.format(
              "Pub/Sub took %d of %d messages for %s", published, request.size(), topic.getPath()));
    }
    settle(request, Decision.REPUBLISHED, d -> describe(taken.get(d)));
  }

  /** Reports these dead letters' decision, then acknowledges them. */
  private void settle(
      List<IncomingMessage> deadLetters,
      Decision decision,
      Function<IncomingMessage, String> detail)
      throws IOException {
    for (IncomingMessage deadLetter : deadLetters) {
      counts.decided.merge(decision, 1L, Long::sum);
      acknowledged.add(deadLetter.recordId());
      held.remove(deadLetter.recordId());
      listener.decided(deadLetter, decision, detail.apply(deadLetter));
    }
    source.acknowledge(deadLetters);
  }

  /** The dead letter's attribute, or {@code "?"}: for reasons and printed lines. */
  public static String attribute(IncomingMessage deadLetter, String key) {
    return deadLetter.message().getAttributesOrDefault(key, "?");
  }

  /** {@code gs://bucket/object#generation} when the original says, for the command's lines. */
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
