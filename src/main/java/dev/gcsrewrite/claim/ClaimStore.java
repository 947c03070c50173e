package dev.gcsrewrite.claim;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.output.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The claims in Redis: claim, settle and release generations in batches, and read records back.
 *
 * <p>Every batch is one network round trip: the scripts of all its elements go out in one pipeline
 * (at most {@value #MAX_PER_ROUND_TRIP} per round trip) and each script decides one generation
 * atomically. All three operations are idempotent for an owner, which is what makes a retry after a
 * failure half-way through a pipeline safe: a claim this owner already made comes back REENTRANT, a
 * settled generation ALREADY settled, a released claim NOT_HELD.
 *
 * <p>A store made for the pipeline retries every failure (Redis down, failing over, timing out)
 * with backoff for as long as it takes, so that elements are neither dropped nor let through
 * unclaimed and the pipeline resumes by itself when Redis returns. A store made for a command line
 * tries once and reports.
 */
public final class ClaimStore implements AutoCloseable {
  /** Most scripts sent in one pipeline; a larger bundle takes more round trips. */
  public static final int MAX_PER_ROUND_TRIP = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(ClaimStore.class);
  private static final FluentBackoff RETRY_BACKOFF =
      FluentBackoff.DEFAULT
          .withInitialBackoff(Duration.millis(100))
          .withMaxBackoff(Duration.standardSeconds(30))
          .withExponent(2);

  private final JedisPool pool;
  private final @Nullable AutoCloseable owner;
  private final ClaimKeys keys;
  private final boolean retryForever;
  private final AtomicLong roundTrips = new AtomicLong();

  ClaimStore(JedisPool pool, @Nullable AutoCloseable owner, ClaimKeys keys, boolean retryForever) {
    this.pool = pool;
    this.owner = owner;
    this.keys = keys;
    this.retryForever = retryForever;
  }

  /** A store on this worker's shared pool that retries until Redis answers; for DoFns. */
  public static ClaimStore forPipeline(RedisSettings settings) throws IOException {
    RedisConnections.Handle handle = RedisConnections.acquire(settings);
    return new ClaimStore(handle.pool(), handle, new ClaimKeys(settings.keyPrefix()), true);
  }

  /** A store with a pool of its own that tries once; for command-line tools. */
  public static ClaimStore forCommand(RedisSettings settings) throws IOException {
    JedisPool pool = RedisConnections.createPool(settings);
    return new ClaimStore(pool, pool, new ClaimKeys(settings.keyPrefix()), false);
  }

  public ClaimKeys keys() {
    return keys;
  }

  /** Pipelined round trips this store has made (claims, settlements and releases). */
  public long roundTrips() {
    return roundTrips.get();
  }

  /** Decides each generation of {@code batch} for {@code policy}'s owner. */
  public List<ClaimDecision> claim(List<GcsNotification> batch, ClaimSettings policy) {
    String lease = Long.toString(policy.lease().getMillis());
    String retention = Long.toString(policy.retention().getMillis());
    return pipelined(
        "claim",
        batch,
        (pipeline, n) ->
            pipeline.evalsha(
                RedisScript.CLAIM.sha(),
                generationKeys(n),
                List.of(
                    policy.owner(),
                    Long.toString(n.generation()),
                    lease,
                    n.messageId(),
                    retention)),
        reply -> ClaimDecision.fromReply(strings(reply)));
  }

  /**
   * Settles each outcome of {@code batch}: COMPLETED with its output, or SKIPPED with its reason.
   * Returns, per outcome, whether this call settled it (false: it was settled already).
   */
  public List<Boolean> settle(List<Outcome> batch, ClaimSettings policy) {
    String retention = Long.toString(policy.retention().getMillis());
    return pipelined(
        "settle",
        batch,
        (pipeline, outcome) -> {
          GcsNotification n = outcome.notification();
          boolean complete = outcome.kind() == Outcome.Kind.COMPLETE;
          return pipeline.evalsha(
              RedisScript.SETTLE.sha(),
              generationKeys(n),
              List.of(
                  policy.owner(),
                  Long.toString(n.generation()),
                  complete ? "COMPLETED" : "SKIPPED",
                  String.valueOf(complete ? outcome.outputUri() : outcome.reason()),
                  retention,
                  n.messageId()));
        },
        reply -> "SETTLED".equals(strings(reply).get(0)));
  }

  /** Releases {@code owner}'s claims on {@code batch}; per element, whether one was released. */
  public List<Boolean> release(List<GcsNotification> batch, String owner) {
    return pipelined(
        "release",
        batch,
        (pipeline, n) ->
            pipeline.evalsha(
                RedisScript.RELEASE.sha(),
                List.of(keys.generation(n.bucket(), n.objectId(), n.generation())),
                List.of(owner)),
        reply -> "RELEASED".equals(strings(reply).get(0)));
  }

  /**
   * What Redis holds about an object: its latest completed generation and the record of every
   * generation still kept, plus {@code generation} when given even if the index lacks it.
   */
  public ObjectStatus status(String bucket, String objectId, @Nullable Long generation) {
    return withRetries(
        "status",
        jedis -> {
          Pipeline first = jedis.pipelined();
          Response<Set<String>> indexed = first.smembers(keys.generations(bucket, objectId));
          Response<Map<String, String>> latest = first.hgetAll(keys.latest(bucket, objectId));
          first.sync();
          List<Long> generations = new ArrayList<>();
          for (String member : indexed.get()) {
            generations.add(Long.parseLong(member));
          }
          if (generation != null && !generations.contains(generation)) {
            generations.add(generation);
          }
          Pipeline second = jedis.pipelined();
          Map<Long, Response<Map<String, String>>> records = new TreeMap<>();
          for (long g : generations) {
            records.put(g, second.hgetAll(keys.generation(bucket, objectId, g)));
          }
          second.sync();
          TreeMap<Long, Map<String, String>> found = new TreeMap<>();
          records.forEach(
              (g, record) -> {
                if (!record.get().isEmpty()) {
                  found.put(g, record.get());
                }
              });
          return new ObjectStatus(bucket, objectId, latest.get(), found);
        });
  }

  @Override
  public void close() throws Exception {
    if (owner != null) {
      owner.close();
    }
  }

  private List<String> generationKeys(GcsNotification n) {
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.latest(n.bucket(), n.objectId()),
        keys.generations(n.bucket(), n.objectId()));
  }

  /** Sends {@code send} for every item in pipelines, one round trip per chunk, and reads back. */
  private <I, O> List<O> pipelined(
      String operation,
      List<I> items,
      BiFunction<Pipeline, I, Response<?>> send,
      Function<Object, O> read) {
    List<O> results = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += MAX_PER_ROUND_TRIP) {
      List<I> chunk = items.subList(from, Math.min(items.size(), from + MAX_PER_ROUND_TRIP));
      results.addAll(
          withRetries(
              operation,
              jedis -> {
                Pipeline pipeline = jedis.pipelined();
                List<Response<?>> responses = new ArrayList<>(chunk.size());
                for (I item : chunk) {
                  responses.add(send.apply(pipeline, item));
                }
                pipeline.sync();
                roundTrips.incrementAndGet();
                PipelineMetrics.REDIS_ROUND_TRIPS.inc();
                List<O> replies = new ArrayList<>(chunk.size());
                for (Response<?> response : responses) {
                  replies.add(read.apply(response.get()));
                }
                return replies;
              }));
    }
    return results;
  }

  private <T> T withRetries(String operation, Function<Jedis, T> call) {
    BackOff backoff = RETRY_BACKOFF.backoff();
    int failures = 0;
    while (true) {
      try (Jedis jedis = pool.getResource()) {
        T result = call.apply(jedis);
        if (failures > 0) {
          LOG.info("Redis answered {} again after {} failed attempts", operation, failures);
        }
        return result;
      } catch (JedisNoScriptException e) {
        // First use, or Redis restarted and forgot the scripts: load them, then run again.
        loadScripts();
      } catch (JedisException e) {
        failures++;
        if (!retryForever) {
          throw new RedisUnavailableException(operation, e);
        }
        PipelineMetrics.REDIS_RETRIES.inc();
        long pause = nextPause(backoff);
        LOG.warn(
            "Redis {} failed (attempt {}), retrying in {} ms: {}",
            operation,
            failures,
            pause,
            e.getMessage());
        sleep(pause);
      }
    }
  }

  private void loadScripts() {
    try (Jedis jedis = pool.getResource()) {
      for (RedisScript script : RedisScript.values()) {
        String sha = jedis.scriptLoad(script.source());
        if (!sha.equals(script.sha())) {
          throw new IllegalStateException("Redis hashed " + script + " as " + sha);
        }
      }
    }
  }

  private static long nextPause(BackOff backoff) {
    long pause = backoff.nextBackOffMillis();
    return pause == BackOff.STOP ? 30_000 : pause;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Redis", e);
    }
  }

  /** A script reply as strings: Jedis returns bulk strings as bytes or text, integers as Long. */
  static List<String> strings(Object reply) {
    List<String> out = new ArrayList<>();
    if (reply instanceof List<?> list) {
      for (Object item : list) {
        out.add(text(item));
      }
    } else {
      out.add(text(reply));
    }
    return out;
  }

  private static String text(Object item) {
    if (item instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return String.valueOf(item);
  }
}
