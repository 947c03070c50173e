package dev.gcsrewrite.statusservice;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.redis.ObjectStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A generation's Redis record as a {@code google.longrunning.Operation}, so that clients written
 * for Google's asynchronous APIs poll it as they poll any other: {@code name}, {@code done}, {@code
 * metadata}, then {@code response} or {@code error} once done.
 *
 * <ul>
 *   <li>COMPLETED: a {@code response} with the output's URI (and size when recorded).
 *   <li>SKIPPED (the source vanished or changed, or a newer generation was completed first), and
 *       SUPERSEDED (no settled record of its own, but a newer generation is completed: any run
 *       would skip it): a {@code response} without an output, with the reason. Skipping is the
 *       pipeline's answer, not a failure: nothing is to be retried.
 *   <li>FAILED (the source could not be read for good; the message is a dead letter): an {@code
 *       error} whose message is the dead letter's reason and whose code is FAILED_PRECONDITION: the
 *       request was fine, the object was not readable as it stood.
 *   <li>In flight: {@code done: false}, neither.
 * </ul>
 */
final class OperationJson {
  static final String METADATA_TYPE = "type.googleapis.com/gcsrewrite.v1.ProcessingMetadata";
  static final String RESULT_TYPE = "type.googleapis.com/gcsrewrite.v1.ProcessingResult";

  /** google.rpc.Code.FAILED_PRECONDITION. */
  static final int FAILED_PRECONDITION = 9;

  private static final Set<String> SETTLED = Set.of("COMPLETED", "SKIPPED", "FAILED");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OperationJson() {}

  /**
   * The operation of {@code generation}, or of the newest generation Redis knows for the object
   * when null; null when Redis knows nothing of it.
   */
  static @Nullable ObjectNode of(ObjectStatus status, @Nullable Long generation) {
    Long latestCompleted = number(status.latest().get("generation"));
    Long inFlight = number(status.lock().get("generation"));
    long g;
    if (generation != null) {
      g = generation;
    } else {
      Long newest = status.generations().isEmpty() ? null : status.generations().lastKey();
      newest = max(max(newest, inFlight), latestCompleted);
      if (newest == null) {
        return null;
      }
      g = newest;
    }
    Map<String, String> record = status.generations().get(g);
    if (record == null && inFlight != null && inFlight == g) {
      // Its INPROGRESS record expired with its lease; the lock still says who took it.
      record = new HashMap<>(status.lock());
      record.put("state", "INPROGRESS");
      record.remove("token");
    }
    if (record == null && latestCompleted != null && latestCompleted == g) {
      // Its own record is gone (a shorter retention, an eviction); the latest key says enough.
      record = new HashMap<>(status.latest());
      record.put("state", "COMPLETED");
      record.remove("generation");
    }
    String state = record == null ? null : record.get("state");
    boolean superseded =
        !SETTLED.contains(String.valueOf(state)) && latestCompleted != null && latestCompleted > g;
    if (record == null && !superseded) {
      return null;
    }
    return operation(status, g, record == null ? Map.of() : record, superseded, latestCompleted);
  }

  private static ObjectNode operation(
      ObjectStatus status,
      long generation,
      Map<String, String> record,
      boolean superseded,
      @Nullable Long latestCompleted) {
    String state = superseded ? "SUPERSEDED" : record.getOrDefault("state", "UNKNOWN");
    ObjectNode operation = NODES.objectNode();
    operation.put("name", name(status.bucket(), status.objectId(), generation));
    boolean done = superseded || SETTLED.contains(state);
    operation.put("done", done);

    ObjectNode metadata = operation.putObject("metadata");
    metadata.put("@type", METADATA_TYPE);
    metadata.put("bucket", status.bucket());
    metadata.put("object", status.objectId());
    // int64 fields are strings in proto3 JSON: generations exceed a double's exact range.
    metadata.put("generation", Long.toString(generation));
    metadata.put("state", state);
    text(metadata, "owner", record.get("owner"));
    Long attempts = number(record.get("attempts"));
    if (attempts != null) {
      metadata.put("attempts", attempts);
    }
    text(metadata, "messageId", record.get("messageId"));
    time(metadata, "claimedAt", record.get("claimedAt"));
    time(metadata, "leaseUntil", record.get("leaseUntil"));
    time(metadata, "completedAt", record.get("completedAt"));
    text(metadata, "settledBy", record.get("settledBy"));
    if (superseded) {
      metadata.put("supersededBy", Long.toString(latestCompleted));
    }

    if (!done) {
      return operation;
    }
    if (state.equals("FAILED")) {
      ObjectNode error = operation.putObject("error");
      error.put("code", FAILED_PRECONDITION);
      error.put("message", record.getOrDefault("reason", "the source could not be read"));
      return operation;
    }
    ObjectNode response = operation.putObject("response");
    response.put("@type", RESULT_TYPE);
    if (state.equals("COMPLETED")) {
      text(response, "outputUri", record.get("outputUri"));
      text(response, "outputBytes", record.get("outputBytes"));
    } else {
      response.put(
          "skipReason",
          superseded
              ? "superseded by generation " + latestCompleted
              : record.getOrDefault("reason", "skipped"));
    }
    return operation;
  }

  /**
   * {@code objects/BUCKET/OBJECT/generations/G}, the object name one segment as the lookup path
   * writes it ({@link RequestPath#encode}).
   */
  static String name(String bucket, String objectId, long generation) {
    return "objects/" + bucket + "/" + RequestPath.encode(objectId) + "/generations/" + generation;
  }

  private static void text(ObjectNode node, String field, @Nullable String value) {
    if (value != null && !value.isEmpty()) {
      node.put(field, value);
    }
  }

  /** Redis keeps epoch milliseconds; the Operation shows RFC 3339 (what Timestamp's JSON is). */
  private static void time(ObjectNode node, String field, @Nullable String millis) {
    Long value = number(millis);
    if (value != null) {
      node.put(field, Instant.ofEpochMilli(value).toString());
    }
  }

  private static @Nullable Long number(@Nullable String text) {
    try {
      return text == null || !text.matches("[0-9]{1,19}") ? null : Long.parseLong(text);
    } catch (NumberFormatException overflow) {
      return null;
    }
  }

  private static @Nullable Long max(@Nullable Long a, @Nullable Long b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return Math.max(a, b);
  }
}
