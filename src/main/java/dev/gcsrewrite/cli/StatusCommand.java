package dev.gcsrewrite.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.config.InvalidOptionException;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.ObjectStatus;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.RedisUnavailableException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * {@code status}: prints what Redis records about an object, the way an asynchronous job API
 * answers "what became of my job": each kept generation's state, owner, times and output, the
 * generation in flight, and the object's latest completed generation.
 */
final class StatusCommand implements Command {
  static final String SYNOPSIS =
      "gcs-rewrite status gs://BUCKET/OBJECT [GENERATION] [--json] --redisHost=HOST"
          + " [--redisPort=PORT] [--redisTls=true] [--redisCluster=true]"
          + " [--redisPasswordSecret=REF] [--redisTlsCaSecret=REF] [--keyPrefix=PREFIX]";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return "status";
  }

  @Override
  public String summary() {
    return "what Redis records about an object: its generations, the one in flight, the latest";
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
    out.println("  GENERATION   only that generation's record");
    out.println("  --json       the records as JSON (latestCompleted, lock, generations)");
    out.println("  The Redis options are the pipeline's (see: gcs-rewrite help run).");
    out.println("  Exit status: 0 records found, 1 nothing recorded, 2 bad arguments,");
    out.println("  3 Redis unreachable.");
  }

  /** Runs the command; returns the exit status. */
  @Override
  public ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    List<String> positional = new ArrayList<>();
    List<String> options = new ArrayList<>();
    boolean json = false;
    for (String arg : args) {
      if (arg.equals("--json")) {
        json = true;
      } else if (arg.startsWith("--")) {
        options.add(arg);
      } else {
        positional.add(arg);
      }
    }
    if (positional.isEmpty() || positional.size() > 2 || !positional.get(0).startsWith("gs://")) {
      err.println("usage: " + SYNOPSIS);
      return ExitCode.USAGE;
    }
    String path = positional.get(0).substring("gs://".length());
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      err.println("status: '" + positional.get(0) + "' is not gs://BUCKET/OBJECT");
      return ExitCode.USAGE;
    }
    String bucket = path.substring(0, slash);
    String objectId = path.substring(slash + 1);
    Long generation = null;
    if (positional.size() == 2) {
      if (!positional.get(1).matches("[0-9]{1,19}")) {
        err.println("status: generation '" + positional.get(1) + "' is not a number");
        return ExitCode.USAGE;
      }
      generation = Long.parseLong(positional.get(1));
    }

    RedisSettings redis;
    try {
      redis = JobSettings.redis(OptionArgs.parse(options));
    } catch (InvalidOptionException | OptionArgs.BadArguments e) {
      err.println("status: " + OptionArgs.firstLine(e));
      return ExitCode.USAGE;
    }

    ObjectStatus status;
    try (ClaimStore store = ClaimStore.forCommand(redis)) {
      status = store.status(bucket, objectId, generation);
    } catch (RedisUnavailableException e) {
      err.println("status: cannot reach Redis at " + redis.address() + ": " + rootMessage(e));
      return ExitCode.UNAVAILABLE;
    } catch (Exception e) {
      err.println("status: " + e.getMessage());
      return ExitCode.UNAVAILABLE;
    }

    if (generation != null) {
      status =
          new ObjectStatus(
              bucket,
              objectId,
              status.latest(),
              new TreeMap<>(
                  status.generations().containsKey(generation)
                      ? Map.of(generation, status.generations().get(generation))
                      : Map.of()),
              status.lock());
    }
    if (json) {
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
    String object = "gs://" + status.bucket() + "/" + status.objectId();
    if (status.generations().isEmpty()) {
      out.println(
          object
              + (generation == null ? "" : " generation " + generation)
              + ": no record in Redis at "
              + redis.address()
              + " under prefix '"
              + redis.keyPrefix()
              + "' (never claimed, or settled longer ago than --claimRetention)");
    } else {
      out.println(object);
    }
    if (!status.latest().isEmpty()) {
      Map<String, String> latest = status.latest();
      out.println("  latest completed generation " + latest.get("generation"));
      out.println("    completed  " + time(latest.get("completedAt")));
      out.println("    output     " + latest.get("outputUri"));
    } else if (!status.generations().isEmpty()) {
      out.println("  latest completed generation: none");
    }
    Map<String, String> lock = status.lock();
    if (lock.get("generation") != null) {
      out.println(
          "  in flight: generation "
              + lock.get("generation")
              + " ("
              + lock.get("owner")
              + ", token "
              + lock.get("token")
              + ", lease until "
              + time(lock.get("leaseUntil"))
              + ")");
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
      out.println(String.format("    %-11s %s", label, value));
    }
  }

  private static String toJson(ObjectStatus status, RedisSettings redis) {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "gs://" + status.bucket() + "/" + status.objectId());
    root.put("redis", redis.address());
    root.put("keyPrefix", redis.keyPrefix());
    ObjectNode latest = root.putObject("latestCompleted");
    status.latest().forEach(latest::put);
    ObjectNode lock = root.putObject("lock");
    status.lock().forEach(lock::put);
    ObjectNode generations = root.putObject("generations");
    status
        .generations()
        .forEach(
            (g, record) -> {
              ObjectNode node = generations.putObject(Long.toString(g));
              record.forEach(node::put);
            });
    return root.toPrettyString();
  }

  private static @Nullable String time(@Nullable String millis) {
    if (millis == null) {
      return null;
    }
    try {
      return new Instant(Long.parseLong(millis)).toString();
    } catch (NumberFormatException e) {
      return millis;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }
}
