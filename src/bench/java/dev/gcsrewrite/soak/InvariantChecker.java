package dev.gcsrewrite.soak;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.soak.NotifiedGenerations.Generation;
import dev.gcsrewrite.soak.TopicTap.Received;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The soak's invariants, checked at quiescence against the buckets, Redis and every event topic:
 *
 * <ol>
 *   <li>Every output holds the rewrite of the newest generation Redis records as its object's
 *       latest completed generation, and that is the newest notified generation that completed; an
 *       object's newest generation, when still in the bucket (or in a versioned bucket), completed.
 *       No output for an object none of whose generations completed.
 *   <li>No {@code complete} event for a generation is published (first occurrence of its {@code
 *       eventId}) after one for a newer generation of the same object.
 *   <li>Every notified generation ends settled in Redis (COMPLETED or SKIPPED; or, without a
 *       record, superseded by a newer generation claimed or completed) with at least one event of
 *       that outcome ({@code complete}, {@code skipped}). Excepted, and counted apart: what a
 *       pipeline stopped without draining took with it and its reconcile could no longer see
 *       ({@link LostInFlight}, the known limit).
 *   <li>Nothing dead-lettered but the hostile inputs; no pipeline ended on its own; every reconcile
 *       the recoveries ran finished.
 * </ol>
 */
final class InvariantChecker {
  /**
   * What the check found: violations, one line each; notes, one line each, on what no invariant
   * forbids but is worth a look (a generation announced both complete and skipped, a hostile
   * message never dead-lettered); and the figures of the table.
   */
  record Findings(List<String> violations, List<String> notes, Map<String, Long> figures) {}

  private final NavigableMap<String, NavigableMap<Long, Generation>> notified;
  private final LostInFlight lostInFlight;
  private final Workload workload;
  private final RedisView redis;
  private final Path processed;
  private final String suffix;
  private final boolean versioned;
  private final List<String> violations = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Long> figures = new TreeMap<>();

  InvariantChecker(
      NotifiedGenerations notified,
      List<Faults.Kill> kills,
      Workload workload,
      RedisView redis,
      Path processed,
      String suffix,
      boolean versioned) {
    this.notified = new TreeMap<>(notified.all());
    this.lostInFlight = new LostInFlight(notified, kills);
    this.workload = workload;
    this.redis = redis;
    this.processed = processed;
    this.suffix = suffix;
    this.versioned = versioned;
  }

  Findings check(
      List<Received> completeTopic,
      List<Received> processingTopic,
      List<Received> deadLetters,
      Map<String, String> hostile,
      List<Pipelines.UnexpectedExit> exits,
      List<String> failedReconciles,
      OutputWatch watch)
      throws IOException {
    for (String move : watch.backward()) {
      notes.add("seen while running: " + move);
    }
    figures.put("outputs.samples", watch.samples());
    figures.put("outputs.backward", (long) watch.backward().size());
    outputs();
    Map<String, Map<String, List<Received>>> events = byGeneration(completeTopic);
    completeOrder(completeTopic);
    Set<String> processing = new HashSet<>();
    for (Received event : processingTopic) {
      processing.add(event.attribute("objectId") + "#" + event.attribute("objectGeneration"));
    }
    settled(events, processing);
    deadLetters(deadLetters, hostile);
    for (Pipelines.UnexpectedExit exit : exits) {
      violation(
          4, exit.jobName(), "the pipeline ended on its own; its log ends: " + exit.logTail());
    }
    for (String failed : failedReconciles) {
      violation(4, "reconcile", failed);
    }
    figures.put("events.processing.messages", (long) processingTopic.size());
    figures.put("events.processing.distinct", distinct(processingTopic));
    return new Findings(List.copyOf(violations), List.copyOf(notes), Map.copyOf(figures));
  }

  // ---- 1: outputs ------------------------------------------------------------------------------

  private void outputs() throws IOException {
    Set<String> present = workload.present();
    for (Map.Entry<String, NavigableMap<Long, Generation>> object : notified.entrySet()) {
      String name = object.getKey();
      NavigableMap<Long, Generation> generations = object.getValue();
      count("objects");
      Path output = processed.resolve(name + suffix);
      Long newestCompleted = null;
      for (long g : generations.descendingKeySet()) {
        if (redis.completedEver(name, g)) {
          newestCompleted = g;
          break;
        }
      }
      if (newestCompleted == null) {
        if (Files.exists(output)) {
          violation(
              1,
              name,
              "an output, "
                  + what(name, Files.readAllBytes(output))
                  + ", though no generation completed");
        }
      } else {
        Long latest = redis.latest(name);
        if (!newestCompleted.equals(latest)) {
          violation(
              1,
              name,
              "Redis's latest completed generation is "
                  + latest
                  + ", but generation "
                  + newestCompleted
                  + " completed"
                  + (redis.forgotten(name, newestCompleted) ? " (before a Redis restart)" : ""));
        }
        if (!Files.exists(output)) {
          violation(1, name, "no output; expected the rewrite of generation " + newestCompleted);
        } else {
          byte[] found = Files.readAllBytes(output);
          if (Arrays.equals(found, rewrite(generations.get(newestCompleted)))) {
            count("outputs.right");
          } else {
            violation(
                1,
                name,
                "the output holds "
                    + what(name, found)
                    + "; expected the rewrite of its newest completed generation "
                    + newestCompleted);
          }
        }
      }
      Generation newest = generations.lastEntry().getValue();
      boolean live =
          versioned
              || present.contains(name)
                  && newest.md5Hash().equals(md5(workload.bucket().resolve(name)));
      if (live && !"COMPLETED".equals(redis.state(name, newest.generation()))) {
        violation(
            1,
            name,
            "its newest generation "
                + newest.generation()
                + ", still in the bucket, ended "
                + redis.outcome(name, newest.generation())
                + ", not COMPLETED");
      }
    }
    if (Files.isDirectory(processed)) {
      try (Stream<Path> files = Files.walk(processed)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String relative = processed.relativize(file).toString();
          if (relative.startsWith(".temp-beam") || relative.contains("/.temp-beam")) {
            continue;
          }
          count("outputs.found");
          String name =
              relative.endsWith(suffix)
                  ? relative.substring(0, relative.length() - suffix.length())
                  : relative;
          if (!notified.containsKey(name)) {
            violation(1, relative, "an output for no notified object");
          }
        }
      }
    }
  }

  /** Which generation's rewrite {@code content} is, said for a violation. */
  private String what(String name, byte[] content) {
    if (content.length == 0) {
      return "an empty file";
    }
    for (Generation g : notified.get(name).values()) {
      if (Arrays.equals(content, rewrite(g))) {
        return "the rewrite of generation "
            + g.generation()
            + " ("
            + redis.outcome(name, g.generation())
            + ")";
      }
      byte[] source = workload.content(g.md5Hash());
      if (source != null && Arrays.equals(content, source)) {
        return "generation " + g.generation() + "'s bytes, not rewritten";
      }
    }
    return content.length + " bytes that are no generation's rewrite";
  }

  private byte[] rewrite(Generation g) {
    byte[] source = workload.content(g.md5Hash());
    if (source == null) {
      throw new IllegalStateException("the soak never wrote the content of " + g);
    }
    return OutputWatch.rewrite(source);
  }

  private static String md5(Path file) throws IOException {
    try {
      return Workload.md5(Files.readAllBytes(file));
    } catch (java.nio.file.NoSuchFileException e) {
      return "";
    }
  }

  // ---- 2: complete events in order -------------------------------------------------------------

  private void completeOrder(List<Received> completeTopic) {
    Map<String, List<Received>> byObject = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    List<Received> sorted = new ArrayList<>(completeTopic);
    sorted.sort((x, y) -> x.publishTime().compareTo(y.publishTime()));
    for (Received event : sorted) {
      if ("complete".equals(event.attribute("eventType")) && seen.add(event.attribute("eventId"))) {
        byObject.computeIfAbsent(event.attribute("objectId"), o -> new ArrayList<>()).add(event);
      }
    }
    for (Map.Entry<String, List<Received>> object : byObject.entrySet()) {
      Received newest = null;
      for (Received event : object.getValue()) {
        long g = generation(event);
        if (newest != null
            && g < generation(newest)
            && event.publishTime().isAfter(newest.publishTime())) {
          String name = object.getKey();
          violation(
              2,
              name,
              "complete for generation "
                  + g
                  + " published at "
                  + event.publishTime()
                  + " by "
                  + job(event)
                  + " after the one for newer generation "
                  + generation(newest)
                  + " at "
                  + newest.publishTime()
                  + " by "
                  + job(newest)
                  + " (Redis: "
                  + g
                  + " completed at "
                  + completedAt(name, g)
                  + ", "
                  + generation(newest)
                  + " at "
                  + completedAt(name, generation(newest))
                  + ")");
        }
        if (newest == null || g > generation(newest)) {
          newest = event;
        }
      }
    }
  }

  private String completedAt(String name, long generation) {
    Map<String, String> record = redis.record(name, generation);
    String at = record == null ? null : record.get("completedAt");
    return at == null ? "?" : Instant.ofEpochMilli(Long.parseLong(at)).toString();
  }

  private static String job(Received event) {
    return event.body().path("jobName").asText("?");
  }

  // ---- 3: every generation settled and announced -----------------------------------------------

  private void settled(Map<String, Map<String, List<Received>>> events, Set<String> processing) {
    for (Map.Entry<String, NavigableMap<Long, Generation>> object : notified.entrySet()) {
      String name = object.getKey();
      for (Generation generation : object.getValue().values()) {
        long g = generation.generation();
        count("generations");
        String key = name + "#" + g;
        Map<String, List<Received>> types = events.getOrDefault(key, Map.of());
        Faults.Kill lost =
            lostInFlight.by(redis, generation, events.containsKey(key) || processing.contains(key));
        if (lost != null) {
          count("outcome.lost in flight with a pipeline stopped undrained (a known limit)");
          notes.add(
              key
                  + ": no record and no event; notified before "
                  + lost.jobName()
                  + " was stopped at "
                  + lost.killed()
                  + ", and no longer current when its reconcile ended at "
                  + lost.reconciled()
                  + " (docs/guarantee.md, Known limits)");
          continue;
        }
        String state = redis.state(name, g);
        String outcome = redis.outcome(name, g);
        if (redis.forgotten(name, g)) {
          count("records.forgottenByRedisRestarts");
        }
        if (!redis.settled(name, g)) {
          violation(3, key, "not settled: " + outcome + "; events " + types.keySet());
          count("outcome.unsettled");
          continue;
        }
        count("outcome." + outcome);
        String wanted = "COMPLETED".equals(state) ? "complete" : "skipped";
        if (!types.containsKey(wanted)) {
          violation(
              3,
              key,
              "settled " + outcome + " but no " + wanted + " event; events " + types.keySet());
        }
        if (types.size() > 1) {
          count("generations.withBothCompleteAndSkipped");
          notes.add(
              key
                  + ": announced "
                  + describe(types)
                  + "; Redis: "
                  + outcome
                  + (redis.forgotten(name, g) ? " (a record read before a Redis restart)" : ""));
        }
      }
    }
  }

  private static String describe(Map<String, List<Received>> types) {
    List<String> parts = new ArrayList<>();
    types.forEach(
        (type, events) -> {
          Received first = events.get(0);
          String reason = first.body().path("reason").asText("");
          parts.add(
              type
                  + (reason.isEmpty() ? "" : " (" + reason + ")")
                  + " by "
                  + job(first)
                  + " at "
                  + first.publishTime());
        });
    return String.join(" and ", parts);
  }

  private Map<String, Map<String, List<Received>>> byGeneration(List<Received> completeTopic) {
    Map<String, Map<String, List<Received>>> events = new HashMap<>();
    for (Received event : completeTopic) {
      String type = event.attribute("eventType");
      count("events." + type + ".messages");
      events
          .computeIfAbsent(
              event.attribute("objectId") + "#" + event.attribute("objectGeneration"),
              k -> new TreeMap<>())
          .computeIfAbsent(type, t -> new ArrayList<>())
          .add(event);
    }
    for (Map<String, List<Received>> types : events.values()) {
      for (String type : types.keySet()) {
        count("events." + type + ".distinct");
      }
    }
    return events;
  }

  // ---- 4: dead letters
  // ---------------------------------------------------------------------------

  private void deadLetters(List<Received> deadLetters, Map<String, String> hostile) {
    Set<String> hostileSeen = new HashSet<>();
    for (Received letter : deadLetters) {
      String mark = letter.attribute(HostileMessages.MARK);
      String type = letter.attribute(DeadLetterMessages.ERROR_TYPE);
      if (!mark.isEmpty() && hostile.containsKey(mark)) {
        count("deadLetters.hostile." + type);
        hostileSeen.add(mark);
        if (!type.equals(hostile.get(mark))) {
          count("deadLetters.hostileOfAnotherType");
        }
      } else {
        violation(
            4,
            letter.attribute("objectId") + "#" + letter.attribute("objectGeneration"),
            "dead-lettered, not a hostile input: "
                + letter.attribute(DeadLetterMessages.ERROR_STAGE)
                + "/"
                + type
                + ": "
                + letter.attribute(DeadLetterMessages.ERROR_MESSAGE));
        count("deadLetters.other");
      }
    }
    for (Map.Entry<String, String> message : hostile.entrySet()) {
      if (!hostileSeen.contains(message.getKey())) {
        notes.add(
            "hostile message "
                + message.getKey()
                + " has no dead letter (lost with a pipeline that read it and was killed?)");
      }
    }
    figures.put("hostile.published", (long) hostile.size());
    figures.put("hostile.deadLettered", (long) hostileSeen.size());
    figures.put("deadLetters.messages", (long) deadLetters.size());
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------

  private static long distinct(List<Received> events) {
    return events.stream().map(e -> e.attribute("eventId")).distinct().count();
  }

  private static long generation(Received event) {
    return Long.parseLong(event.attribute("objectGeneration"));
  }

  private void count(String figure) {
    figures.merge(figure, 1L, Long::sum);
  }

  private void violation(int invariant, String subject, String what) {
    violations.add("invariant " + invariant + ": " + subject + ": " + what);
  }
}
