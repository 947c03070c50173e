package dev.gcsrewrite.replay;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.deadletter.DeadLetterMessages.Recovered;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.pubsub.PubsubLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Replays dead letters: reads them from a source, keeps those the filter takes, and republishes
 * each one's original message (payload and attributes as they arrived) to the notifications topic
 * with the replay marker {@value NotificationParser#REPLAY}, which takes it past the pipeline's
 * memory of the generation; the Redis claim still decides, so a replay of a settled generation is a
 * harmless duplicate.
 *
 * <p>A dead letter is acknowledged only once its original was published (and, with an archive,
 * written there first). Everything else stays on the subscription: held while the replay runs, so
 * that it is not pulled again, and released at the end for the next reader. That includes dead
 * letters the filter leaves, those whose original cannot be read back whole (a truncated envelope:
 * never republished), and everything in a dry run. With an archive and no target, matching dead
 * letters are written to the archive and then acknowledged: moved off the subscription.
 *
 * <p>Should an acknowledgement be lost, the dead letter comes back and is republished again: a
 * duplicate notification, which the claim drops. Nothing is ever acknowledged unpublished.
 */
public final class Replay {
  static final int BATCH = 100;
  static final int MAX_MESSAGES_PER_PUBLISH = 1000;
  static final long MAX_BYTES_PER_PUBLISH = 9_000_000L;
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

  /** Hears of each dead letter's fate as it is decided (once per dead letter). */
  @FunctionalInterface
  public interface Listener {
    void decided(PulledDeadLetter deadLetter, Decision decision, String detail);
  }

  private final DeadLetterSource source;
  private final @Nullable ReplayTarget target;
  private final @Nullable DeadLetterArchive archive;
  private final ReplayFilter filter;
  private final long max;
  private final boolean dryRun;
  private final Listener listener;
  private final ReplayCounts counts = new ReplayCounts();

  /** Dead letters seen in this run by message ID: true once acknowledged. */
  private final Map<String, Boolean> seen = new HashMap<>();

  /** The latest delivery of every dead letter held, to release at the end. */
  private final Map<String, PulledDeadLetter> held = new LinkedHashMap<>();

  /**
   * @param source where the dead letters are read
   * @param target where originals are republished, or null to archive only
   * @param archive where dead letters are written before they are acknowledged, or null
   * @param filter which dead letters to take
   * @param max the most dead letters to read, or 0 for all
   * @param dryRun read and decide, but publish, write and acknowledge nothing
   * @param listener hears each decision
   */
  public Replay(
      DeadLetterSource source,
      @Nullable ReplayTarget target,
      @Nullable DeadLetterArchive archive,
      ReplayFilter filter,
      long max,
      boolean dryRun,
      Listener listener) {
    if (target == null && archive == null) {
      throw new IllegalArgumentException("a replay needs a target topic or an archive");
    }
    this.source = source;
    this.target = target;
    this.archive = archive;
    this.filter = filter;
    this.max = max;
    this.dryRun = dryRun;
    this.listener = listener;
  }

  /** The counts so far: after {@link #run}, or after it failed. */
  public ReplayCounts counts() {
    return counts;
  }

  /**
   * Reads the source until it is empty (or {@code max} dead letters were read), replays what the
   * filter takes, and releases what it held.
   *
   * @throws IOException if the source, the target or the archive failed; what was replayed before
   *     stays replayed, the rest stays on the subscription
   */
  public ReplayCounts run() throws IOException, InterruptedException {
    IOException failure = null;
    try {
      int idle = 0;
      while ((max == 0 || counts.pulled < max) && idle < IDLE_PULLS) {
        int want = (int) Math.min(BATCH, max == 0 ? BATCH : max - counts.pulled);
        List<PulledDeadLetter> batch = source.pull(want);
        if (!step(batch)) {
          if (source.finite()) {
            break;
          }
          idle++;
          if (idle < IDLE_PULLS) {
            Thread.sleep(IDLE_PAUSE.toMillis());
          }
        } else {
          idle = 0;
        }
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      try {
        source.release(new ArrayList<>(held.values()));
      } catch (IOException e) {
        // Held messages come back by themselves when their hold ends (10 minutes at most).
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return counts;
  }

  /** Handles one pull; returns whether it brought any dead letter not seen before. */
  private boolean step(List<PulledDeadLetter> batch) throws IOException {
    List<PulledDeadLetter> toHold = new ArrayList<>();
    List<PulledDeadLetter> toAck = new ArrayList<>();
    List<PulledDeadLetter> toArchive = new ArrayList<>();
    Map<PulledDeadLetter, PubsubMessage> toPublish = new LinkedHashMap<>();
    boolean fresh = false;
    for (PulledDeadLetter deadLetter : batch) {
      Boolean acknowledged = seen.get(deadLetter.messageId());
      if (acknowledged != null) {
        // Delivered again within the run (an acknowledgement or a hold that lapsed).
        (acknowledged ? toAck : toHold).add(deadLetter);
        continue;
      }
      if (max != 0 && counts.pulled >= max) {
        toHold.add(deadLetter);
        continue;
      }
      fresh = true;
      counts.pulled++;
      String reason =
          deadLetter.attribute(DeadLetterMessages.ERROR_STAGE)
              + "/"
              + deadLetter.attribute(DeadLetterMessages.ERROR_TYPE);
      if (!filter.matches(deadLetter.attributes())) {
        counts.skippedByFilter++;
        counts.skippedByReason.merge(reason, 1L, Long::sum);
        decide(deadLetter, Decision.SKIPPED, "not taken by the filters", toHold);
        continue;
      }
      counts.matched++;
      counts.matchedByReason.merge(reason, 1L, Long::sum);
      Recovered recovered;
      try {
        recovered = DeadLetterMessages.originalOf(deadLetter.message());
      } catch (IllegalArgumentException e) {
        counts.unrecoverable++;
        decide(deadLetter, Decision.UNRECOVERABLE, e.getMessage(), toHold);
        continue;
      }
      if (!recovered.whole()) {
        counts.unrecoverable++;
        decide(
            deadLetter,
            Decision.UNRECOVERABLE,
            "the dead letter kept only part of the original (payloadTruncated/droppedAttributes)",
            toHold);
        continue;
      }
      PubsubMessage replay = replayOf(recovered, deadLetter);
      String problem = PubsubLimits.problem(replay.getPayload(), replay.getAttributeMap());
      if (problem != null) {
        counts.unpublishable++;
        decide(deadLetter, Decision.UNPUBLISHABLE, problem, toHold);
        continue;
      }
      if (dryRun) {
        counts.wouldRepublish++;
        decide(deadLetter, Decision.WOULD_REPUBLISH, describe(replay), toHold);
      } else if (target == null) {
        toArchive.add(deadLetter);
      } else {
        toPublish.put(deadLetter, replay);
      }
    }
    for (PulledDeadLetter deadLetter : toHold) {
      seen.put(deadLetter.messageId(), false);
      held.put(deadLetter.messageId(), deadLetter);
    }
    source.hold(toHold);
    source.acknowledge(toAck);
    archive(toArchive);
    archive(new ArrayList<>(toPublish.keySet()));
    for (PulledDeadLetter deadLetter : toArchive) {
      counts.archived++;
      acknowledged(deadLetter, Decision.ARCHIVED, "written to " + archive.location());
    }
    source.acknowledge(toArchive);
    publish(toPublish);
    return fresh;
  }

  /** Publishes in requests within Pub/Sub's limits; acknowledges each request's dead letters. */
  private void publish(Map<PulledDeadLetter, PubsubMessage> toPublish) throws IOException {
    List<PulledDeadLetter> chunk = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<PulledDeadLetter, PubsubMessage> entry : toPublish.entrySet()) {
      long size =
          PubsubLimits.messageBytes(
              entry.getValue().getPayload().length, entry.getValue().getAttributeMap());
      if (!chunk.isEmpty()
          && (chunk.size() == MAX_MESSAGES_PER_PUBLISH || bytes + size > MAX_BYTES_PER_PUBLISH)) {
        publishChunk(chunk, toPublish);
        chunk.clear();
        bytes = 0;
      }
      chunk.add(entry.getKey());
      bytes += size;
    }
    if (!chunk.isEmpty()) {
      publishChunk(chunk, toPublish);
    }
  }

  private void publishChunk(
      List<PulledDeadLetter> chunk, Map<PulledDeadLetter, PubsubMessage> messages)
      throws IOException {
    try {
      target.publish(chunk.stream().map(messages::get).toList());
    } catch (IOException e) {
      // Not published, so not acknowledged: released with the rest at the end.
      for (PulledDeadLetter deadLetter : messages.keySet()) {
        if (!seen.containsKey(deadLetter.messageId())) {
          held.put(deadLetter.messageId(), deadLetter);
        }
      }
      throw e;
    }
    for (PulledDeadLetter deadLetter : chunk) {
      counts.republished++;
      acknowledged(deadLetter, Decision.REPUBLISHED, describe(messages.get(deadLetter)));
    }
    source.acknowledge(chunk);
  }

  private void archive(List<PulledDeadLetter> deadLetters) throws IOException {
    if (archive == null) {
      return;
    }
    for (PulledDeadLetter deadLetter : deadLetters) {
      archive.write(deadLetter);
      if (target != null) {
        counts.archived++;
      }
    }
  }

  private void acknowledged(PulledDeadLetter deadLetter, Decision decision, String detail) {
    seen.put(deadLetter.messageId(), true);
    held.remove(deadLetter.messageId());
    listener.decided(deadLetter, decision, detail);
  }

  private void decide(
      PulledDeadLetter deadLetter, Decision decision, String detail, List<PulledDeadLetter> hold) {
    hold.add(deadLetter);
    listener.decided(deadLetter, decision, detail);
  }

  /**
   * The original as it arrived, plus the marker; the marker's value is deterministic (the dead
   * letter's message ID), so replaying one dead letter twice sends the same message twice.
   */
  static PubsubMessage replayOf(Recovered recovered, PulledDeadLetter deadLetter) {
    Map<String, String> attributes = new TreeMap<>(recovered.original().attributes());
    attributes.put(NotificationParser.REPLAY, "dead letter " + deadLetter.messageId());
    return new PubsubMessage(recovered.original().payload(), attributes);
  }

  /** {@code gs://bucket/object#generation} when the original says, for the command's lines. */
  private static String describe(PubsubMessage replay) {
    Map<String, String> attributes = replay.getAttributeMap();
    String bucket = attributes.get("bucketId");
    String object = attributes.get("objectId");
    if (bucket == null || object == null) {
      return "original without bucketId/objectId attributes ("
          + replay.getPayload().length
          + " bytes)";
    }
    String generation = attributes.get("objectGeneration");
    return "gs://" + bucket + "/" + object + (generation == null ? "" : "#" + generation);
  }
}
