package dev.gcsrewrite.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Every claim record of one bucket under the soak's key prefix, read at one moment: the generation
 * records, each object's latest completed generation and its lock (with {@code max}, the newest
 * generation ever claimed). The layout is the one {@code dev.gcsrewrite.redis.ClaimKeys} and
 * docs/guarantee.md describe; keys are read by SCAN, so that a record nobody expected is seen too.
 *
 * @param taken when it was read
 * @param generations {@code <name>#<generation>} to the record's fields
 * @param latest object name to its latest completed generation
 * @param locks object name to its lock's fields
 */
record RedisRecords(
    Instant taken,
    Map<String, Map<String, String>> generations,
    Map<String, Long> latest,
    Map<String, Map<String, String>> locks) {

  /** Reads every record of {@code bucket} under {@code prefix}. */
  static RedisRecords read(Jedis jedis, String prefix, String bucket) {
    List<String> keys = new ArrayList<>();
    ScanParams params = new ScanParams().match(prefix + "*").count(1000);
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = jedis.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    Pipeline pipeline = jedis.pipelined();
    Map<String, Response<Map<String, String>>> replies = new HashMap<>();
    for (String key : keys) {
      // The hashes only: the generation sets and the jobs' heartbeats (strings) say nothing here.
      if (!key.startsWith(prefix + "gens:") && !key.startsWith(prefix + "job:")) {
        replies.put(key, pipeline.hgetAll(key));
      }
    }
    pipeline.sync();
    Map<String, Map<String, String>> generations = new HashMap<>();
    Map<String, Long> latest = new HashMap<>();
    Map<String, Map<String, String>> locks = new HashMap<>();
    String objectStart = "{" + bucket + "/";
    for (Map.Entry<String, Response<Map<String, String>>> reply : replies.entrySet()) {
      String key = reply.getKey().substring(prefix.length());
      Map<String, String> fields = reply.getValue().get();
      if (fields.isEmpty()) {
        continue;
      }
      int open = key.indexOf(objectStart);
      int close = key.lastIndexOf('}');
      if (open < 0 || close < open) {
        continue;
      }
      String name = key.substring(open + objectStart.length(), close);
      if (key.startsWith("gen:")) {
        generations.put(name + key.substring(close + 1), fields);
      } else if (key.startsWith("latest:") && fields.get("generation") != null) {
        latest.put(name, Long.parseLong(fields.get("generation")));
      } else if (key.startsWith("obj:")) {
        locks.put(name, fields);
      }
    }
    return new RedisRecords(Instant.now(), generations, latest, locks);
  }

  /** The record of {@code generation} of {@code name}, or null. */
  @Nullable Map<String, String> record(String name, long generation) {
    return generations.get(name + "#" + generation);
  }

  /** Its {@code state} field, or null when there is no record. */
  @Nullable String state(String name, long generation) {
    Map<String, String> record = record(name, generation);
    return record == null ? null : record.get("state");
  }

  /** The newest generation ever claimed of {@code name} ({@code max} of its lock), or 0. */
  long maxClaimed(String name) {
    Map<String, String> lock = locks.get(name);
    String max = lock == null ? null : lock.get("max");
    return max == null ? 0 : Long.parseLong(max);
  }

  /** How many generation records are in progress (claimed, not settled). */
  long inProgress() {
    return generations.values().stream().filter(r -> "INPROGRESS".equals(r.get("state"))).count();
  }
}
