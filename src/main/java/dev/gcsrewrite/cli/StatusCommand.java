package dev.gcsrewrite.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.ObjectStatus;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.RedisUnavailableException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code status}: prints what Redis records about an object, the way an asynchronous job API
 * answers "what became of my job": each kept generation's state, owner, times and output, the
 * generation in flight, and the object's latest completed generation.
 */
final class StatusCommand extends Command {
  StatusCommand() {
    super(
        "status",
        "what Redis records about an object: its generations, the one in flight, the latest",
        "gcs-rewrite status gs://BUCKET/OBJECT [GENERATION] [--json] --redisHost=HOST"
            + " [--redisPort=PORT] [--redisTls=true] [--redisCluster=true]"
            + " [--redisPasswordSecret=REF] [--redisTlsCaSecret=REF] [--keyPrefix=PREFIX]",
        """
          GENERATION   only that generation's record
          --json       the records as JSON (latestCompleted, lock, generations)
          The Redis options are the pipeline's (see: gcs-rewrite help run).
          Exit status: 0 records found, 1 nothing recorded, 2 bad arguments,
          3 Redis unreachable.
        """);
  }

  @Override
  ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments parsed = parse(args, 2, "json");
    if (parsed.words.isEmpty() || !parsed.words.get(0).startsWith("gs://")) {
      err.println("usage: " + synopsis);
      return ExitCode.USAGE;
    }
    String path = parsed.words.get(0).substring("gs://".length());
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new BadArguments("'" + parsed.words.get(0) + "' is not gs://BUCKET/OBJECT");
    }
    String bucket = path.substring(0, slash);
    String objectId = path.substring(slash + 1);
    Long generation = null;
    if (parsed.words.size() == 2) {
      if (!parsed.words.get(1).matches("[0-9]{1,18}")) {
        throw new BadArguments("generation '" + parsed.words.get(1) + "' is not a number");
      }
      generation = Long.parseLong(parsed.words.get(1));
    }

    RedisSettings redis =
        RedisArguments.read(parsed.pipelineArgs)
            .orElseGet(() -> JobSettings.redis(parseOptions(parsed.pipelineArgs)));
    ObjectStatus status;
    try (ClaimStore store = ClaimStore.forCommand(redis)) {
      status = store.status(bucket, objectId, generation);
    } catch (RedisUnavailableException e) {
      throw new Failure(
          ExitCode.UNAVAILABLE,
          "cannot reach Redis at " + redis.address() + ": " + rootCause(e).getMessage());
    } catch (Exception e) {
      throw new Failure(ExitCode.UNAVAILABLE, String.valueOf(e.getMessage()));
    }

    if (generation != null) {
      // Only the generation asked for: the store's answer holds every generation it keeps.
      status.generations().keySet().retainAll(Set.of(generation));
    }
    if (parsed.has("json")) {
      out.println(toJson(status, redis));
    } else {
      print(status, generation, redis, out);
    }
    return status.generations().isEmpty() && (generation != null || status.latest().isEmpty())
        ? ExitCode.NOT_FOUND
        : ExitCode.OK;
  }

  private static void print(
      ObjectStatus status, @Nullable Long generation, RedisSettings redis, PrintStream out) {
    out.print("gs://" + status.bucket() + "/" + status.objectId());
    if (status.generations().isEmpty()) {
      out.printf(
          "%s: no record in Redis at %s under prefix '%s' (never claimed, or settled longer ago"
              + " than --claimRetention)",
          generation == null ? "" : " generation " + generation,
          redis.address(),
          redis.keyPrefix());
    }
    out.println();
    Map<String, String> latest = status.latest();
    if (!latest.isEmpty()) {
      out.println("  latest completed generation " + latest.get("generation"));
      out.println("    completed  " + time(latest.get("completedAt")));
      out.println("    output     " + latest.get("outputUri"));
    } else if (!status.generations().isEmpty()) {
      out.println("  latest completed generation: none");
    }
    Map<String, String> lock = status.lock();
    if (lock.get("generation") != null) {
      out.printf(
          "  in flight: generation %s (%s, token %s, lease until %s)%n",
          lock.get("generation"),
          lock.get("owner"),
          lock.get("token"),
          time(lock.get("leaseUntil")));
    }
    status
        .generations()
        .forEach(
            (g, record) -> {
              out.println("  generation " + g);
              line(out, "state", record.get("state"));
              line(out, "owner", record.get("owner"));
              line(out, "message", record.get("messageId"));
              line(out, "claimed", time(record.get("claimedAt")));
              line(out, "lease until", time(record.get("leaseUntil")));
              line(out, "attempts", record.get("attempts"));
              line(out, "completed", time(record.get("completedAt")));
              line(out, "settled by", record.get("settledBy"));
              line(out, "announced", time(record.get("announced")));
              line(out, "output", record.get("outputUri"));
              line(out, "reason", record.get("reason"));
            });
  }

  private static void line(PrintStream out, String label, @Nullable String value) {
    if (value != null) {
      out.printf("    %-11s %s%n", label, value);
    }
  }

  private static String toJson(ObjectStatus status, RedisSettings redis) {
    // Made here, not when the class loads: Jackson is a third of a second a lookup without --json
    // does not need.
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("object", "gs://" + status.bucket() + "/" + status.objectId());
    root.put("redis", redis.address());
    root.put("keyPrefix", redis.keyPrefix());
    status.latest().forEach(root.putObject("latestCompleted")::put);
    status.lock().forEach(root.putObject("lock")::put);
    ObjectNode generations = root.putObject("generations");
    status
        .generations()
        .forEach((g, record) -> record.forEach(generations.putObject(Long.toString(g))::put));
    return root.toPrettyString();
  }

  // Joda's Instant.toString(), with java.time, which the JVM's class data sharing already holds.
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  static @Nullable String time(@Nullable String millis) {
    try {
      return millis == null ? null : TIME.format(Instant.ofEpochMilli(Long.parseLong(millis)));
    } catch (NumberFormatException e) {
      return millis;
    }
  }
}
