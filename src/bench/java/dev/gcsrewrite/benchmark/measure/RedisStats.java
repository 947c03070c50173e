package dev.gcsrewrite.benchmark.measure;

import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/**
 * One reading of Redis's own counters: calls per command ({@code INFO commandstats}) and the
 * server's totals ({@code INFO stats}): commands, read events, bytes in and out. The difference of
 * two readings is what happened between them, as the server saw it.
 *
 * <p>The reading's own two {@code INFO} commands are known and left out: {@code info} is not
 * counted among the commands, and {@link #between} takes off the read events they cause.
 */
public record RedisStats(Map<String, Long> calls, Map<String, Long> stats) {
  /** Commands a client sends; anything else in {@code commandstats} ran inside a script. */
  public static final String CLIENT_COMMANDS = "evalsha|eval|script|ping|auth|client|hello|select";

  /**
   * Read events the readings themselves add to a difference: the {@code commandstats} call after
   * the first reading's {@code stats}, and the second reading's {@code stats} call.
   */
  private static final long OWN_READS = 2;

  /** Reads the counters, {@code INFO stats} first, over {@code jedis}'s one connection. */
  public static RedisStats read(Jedis jedis) {
    Map<String, Long> stats = numbers(jedis.info("stats"), "");
    Map<String, Long> calls = new TreeMap<>();
    for (String line : jedis.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
          if (field.startsWith("calls=") && !name.equals("info")) {
            calls.put(name, Long.parseLong(field.substring("calls=".length())));
          }
        }
      }
    }
    return new RedisStats(calls, stats);
  }

  /** What happened from {@code before} to {@code after}. */
  public static Delta between(RedisStats before, RedisStats after) {
    Map<String, Long> calls = new TreeMap<>();
    after.calls.forEach(
        (name, count) -> {
          long delta = count - before.calls.getOrDefault(name, 0L);
          if (delta != 0) {
            calls.put(name, delta);
          }
        });
    return new Delta(
        calls,
        after.stat("total_reads_processed") - before.stat("total_reads_processed") - OWN_READS,
        after.stat("total_net_input_bytes") - before.stat("total_net_input_bytes"),
        after.stat("total_net_output_bytes") - before.stat("total_net_output_bytes"),
        after.stat("total_connections_received") - before.stat("total_connections_received"));
  }

  /** Commands run so far, any kind, {@code info} excepted. */
  public long commands() {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  private long stat(String name) {
    Long value = stats.get(name);
    if (value == null) {
      throw new IllegalStateException("INFO stats has no " + name + " (Redis 6.0 or newer needed)");
    }
    return value;
  }

  private static Map<String, Long> numbers(String info, String prefix) {
    Map<String, Long> values = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.startsWith(prefix)) {
        try {
          values.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1).trim()));
        } catch (NumberFormatException notANumber) {
          // e.g. a rate with a decimal point: not needed
        }
      }
    }
    return values;
  }

  /**
   * The difference of two readings.
   *
   * @param calls calls per command ({@code info} left out)
   * @param reads read events the server processed on client connections (one per request that
   *     arrived in one piece: a round trip; a request split across TCP segments counts more)
   * @param bytesIn bytes received from clients (the readings' own requests included, ~60 bytes)
   * @param bytesOut bytes sent to clients (the readings' own replies included, a few KiB)
   * @param connections connections accepted
   */
  public record Delta(
      Map<String, Long> calls, long reads, long bytesIn, long bytesOut, long connections) {
    /** Commands clients sent (scripts, script loads, connection set-up). */
    public long sent() {
      return sum(true);
    }

    /** Commands run inside scripts, on the server: no round trip of their own. */
    public long inScripts() {
      return sum(false);
    }

    private long sum(boolean sentByClient) {
      return calls.entrySet().stream()
          .filter(e -> e.getKey().matches(CLIENT_COMMANDS) == sentByClient)
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }
}
