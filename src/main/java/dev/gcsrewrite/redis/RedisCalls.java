package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.beam.sdk.util.BackOff;
import org.apache.beam.sdk.util.FluentBackoff;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Round trips to Redis that ride out its failures: each call is retried, and each error sorted by
 * what to do about it.
 *
 * <ul>
 *   <li>{@code NOSCRIPT} (first use, or Redis restarted empty): the scripts are loaded and the call
 *       is sent again.
 *   <li>The credentials refused (a rotated AUTH string): the client is rebuilt with the secret read
 *       again, then retried.
 *   <li>A cluster's slots moved or a node failed over: its layout is read again, then retried.
 *   <li>One element's own record is unusable (a key of another type, a script error on its values):
 *       it would fail every retry, so it becomes that element's result and the batch goes on.
 *   <li>Anything else (down, failing over, timing out, full, read-only): retried with backoff for
 *       as long as it takes when made for the pipeline, so that nothing is dropped or let through
 *       unclaimed; reported at once as {@link RedisUnavailableException} when made for a command.
 * </ul>
 */
final class RedisCalls implements AutoCloseable {
  /** Most commands sent in one pipeline; a larger batch takes more round trips. */
  static final int MAX_PER_ROUND_TRIP = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(ClaimStore.class);
  private static final FluentBackoff RETRY_BACKOFF =
      FluentBackoff.DEFAULT
          .withInitialBackoff(Duration.millis(100))
          .withMaxBackoff(Duration.standardSeconds(30))
          .withExponent(2);

  /** Where the calls get their client: the worker's shared one, or one of their own. */
  interface Clients extends AutoCloseable {
    RedisClient current();

    /** Redis refused {@code failed}'s credentials: read them again if that can help. */
    default void authFailed(RedisClient failed) {}

    @Override
    void close();
  }

  private final Clients clients;
  private final boolean retryForever;
  private final AtomicLong roundTrips = new AtomicLong();
  private boolean closed;

  RedisCalls(Clients clients, boolean retryForever) {
    this.clients = clients;
    this.retryForever = retryForever;
  }

  long roundTrips() {
    return roundTrips.get();
  }

  /**
   * Sends {@code send} for every item, {@value #MAX_PER_ROUND_TRIP} items per pipelined round trip,
   * and returns, aligned with the items, what each one's reply reads as: {@code send} queues an
   * item's commands and returns how to read their replies once the round trip is back; {@code
   * failed} makes the result of an item whose own record Redis cannot use.
   */
  <I, O> List<O> pipelined(
      String operation,
      List<I> items,
      BiFunction<PipelineBase, I, Supplier<O>> send,
      BiFunction<I, String, O> failed) {
    List<O> results = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += MAX_PER_ROUND_TRIP) {
      List<I> chunk = items.subList(from, Math.min(items.size(), from + MAX_PER_ROUND_TRIP));
      results.addAll(
          withRetries(
              operation,
              client -> {
                List<Supplier<O>> replies = new ArrayList<>(chunk.size());
                try (PipelineBase pipeline = client.pipeline()) {
                  for (I item : chunk) {
                    replies.add(send.apply(pipeline, item));
                  }
                  pipeline.sync();
                }
                roundTrips.incrementAndGet();
                PipelineMetrics.REDIS_ROUND_TRIPS.inc();
                List<O> read = new ArrayList<>(chunk.size());
                for (int i = 0; i < chunk.size(); i++) {
                  read.add(readOne(chunk.get(i), replies.get(i), failed));
                }
                return read;
              }));
    }
    return results;
  }

  private static <I, O> O readOne(I item, Supplier<O> reply, BiFunction<I, String, O> failed) {
    try {
      return reply.get();
    } catch (JedisDataException e) {
      if (!isElementError(e)) {
        throw e;
      }
      PipelineMetrics.REDIS_ELEMENT_ERRORS.inc();
      return failed.apply(item, String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      // A cluster pipeline leaves the replies of a node it lost unset.
      throw new JedisConnectionException("no reply from a Redis node", e);
    } catch (RuntimeException e) {
      PipelineMetrics.REDIS_ELEMENT_ERRORS.inc();
      return failed.apply(item, "unexpected reply: " + e);
    }
  }

  /** Runs one script outside a batch; returns its reply as strings. */
  List<String> script(String operation, RedisScript script, List<String> keys, List<String> args) {
    return strings(
        withRetries(
            operation, client -> client.call(jedis -> jedis.evalsha(script.sha(), keys, args))));
  }

  /** Runs {@code call}, retried as this class says. */
  <T> T withRetries(String operation, Function<RedisClient, T> call) {
    BackOff backoff = RETRY_BACKOFF.backoff();
    int failures = 0;
    while (true) {
      RedisClient client = clients.current();
      try {
        T result = call.apply(client);
        if (failures > 0) {
          LOG.info("Redis answered {} again after {} failed attempts", operation, failures);
        }
        return result;
      } catch (JedisNoScriptException e) {
        loadScripts(client);
      } catch (JedisException e) {
        failures++;
        if (causedBy(e, JedisAccessControlException.class, "NOAUTH", "WRONGPASS")) {
          clients.authFailed(client);
        }
        if (causedBy(e, JedisRedirectionException.class, "CLUSTERDOWN", "TRYAGAIN")
            || causedBy(e, JedisClusterOperationException.class)) {
          client.refreshTopology();
        }
        if (!retryForever) {
          throw new RedisUnavailableException(operation, e);
        }
        PipelineMetrics.REDIS_RETRIES.inc();
        long pause = backoff.nextBackOffMillis();
        pause = pause == BackOff.STOP ? 30_000 : pause;
        LOG.warn(
            "Redis {} failed (attempt {}), retrying in {} ms: {}",
            operation,
            failures,
            pause,
            describe(e));
        sleep(pause);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      clients.close();
    }
  }

  private static void loadScripts(RedisClient client) {
    for (RedisScript script : RedisScript.values()) {
      String sha = client.loadScript(script.source());
      if (!sha.equals(script.sha())) {
        throw new IllegalStateException("Redis hashed " + script + " as " + sha);
      }
    }
  }

  /**
   * Whether {@code error}, the reply to one element's command, is about that element's record and
   * so would come back on every retry.
   */
  private static boolean isElementError(JedisDataException error) {
    String message = String.valueOf(error.getMessage());
    return message.startsWith("WRONGTYPE")
        || message.startsWith("ERR Error running script")
        || message.contains("user_script:");
  }

  /** Whether {@code error} or a cause is a {@code type}, or its message starts with a prefix. */
  private static boolean causedBy(Throwable error, Class<?> type, String... prefixes) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
      String message = String.valueOf(cause.getMessage());
      for (String prefix : prefixes) {
        if (message.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }

  /** One line about {@code error} and its causes, for a log. */
  private static String describe(Throwable error) {
    StringBuilder line = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      line.append(": ").append(cause.getMessage());
    }
    return line.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Redis", e);
    }
  }

  /** A reply as strings: Jedis returns bulk strings as bytes or text, integers as Long. */
  static List<String> strings(Object reply) {
    List<String> out = new ArrayList<>();
    for (Object item : reply instanceof List<?> list ? list : Collections.singletonList(reply)) {
      out.add(item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : "" + item);
    }
    return out;
  }
}
