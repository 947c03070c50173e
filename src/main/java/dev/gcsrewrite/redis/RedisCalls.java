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
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Round trips to Redis that ride out its failures, each sorted by {@link Failure#of}: the one place
 * that says what a Redis error means.
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

  /** What a Redis error means for the call that met it. */
  enum Failure {
    /** Redis does not know a script (first use, or restarted empty): load them, send again. */
    NO_SCRIPT,
    /** The credentials were refused (a rotated AUTH string): read the secret again, retry. */
    AUTH,
    /** A cluster's slots moved or a node failed over: read its layout again, retry. */
    TOPOLOGY,
    /** One element's own record is unusable: its result, since it would fail every retry. */
    ELEMENT,
    /**
     * Anything else (down, timing out, full, read-only): retried with backoff as long as it takes
     * for the pipeline, which drops nothing; a {@link RedisUnavailableException} for a command.
     */
    UNAVAILABLE;

    static Failure of(Throwable error) {
      String message = String.valueOf(error.getMessage());
      if (error instanceof JedisNoScriptException) {
        return NO_SCRIPT;
      } else if (causedBy(error, JedisAccessControlException.class, "NOAUTH", "WRONGPASS")) {
        return AUTH;
      } else if (causedBy(error, JedisRedirectionException.class, "CLUSTERDOWN", "TRYAGAIN")
          || causedBy(error, JedisClusterOperationException.class)) {
        return TOPOLOGY;
      } else if (error instanceof JedisDataException
          && (message.startsWith("WRONGTYPE")
              || message.startsWith("ERR Error running script")
              || message.contains("user_script:"))) {
        return ELEMENT;
      }
      return UNAVAILABLE;
    }

    /** Whether {@code error} or a cause is a {@code type}, or its message starts with a prefix. */
    private static boolean causedBy(Throwable error, Class<?> type, String... prefixes) {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        String message = String.valueOf(cause.getMessage());
        if (type.isInstance(cause) || List.of(prefixes).stream().anyMatch(message::startsWith)) {
          return true;
        }
      }
      return false;
    }
  }

  private final RedisClient client;
  private final boolean retryForever;
  private final AtomicLong roundTrips = new AtomicLong();
  private boolean closed;

  RedisCalls(RedisClient client, boolean retryForever) {
    this.client = client;
    this.retryForever = retryForever;
  }

  long roundTrips() {
    return roundTrips.get();
  }

  /**
   * Runs {@code script} for each item, pipelined as {@link #pipelined}; returns each reply, read as
   * strings by {@code read}, aligned with the items.
   */
  <I, O> List<O> evalEach(
      RedisScript script,
      List<I> items,
      Function<I, List<String>> keys,
      Function<I, List<String>> args,
      Function<List<String>, O> read,
      BiFunction<I, String, O> failed) {
    return pipelined(
        script.operation(),
        items,
        (pipeline, item) -> {
          Response<Object> reply = pipeline.evalsha(script.sha, keys.apply(item), args.apply(item));
          return () -> read.apply(strings(reply.get()));
        },
        failed);
  }

  /** Runs {@code script} once, outside a batch; returns its reply as strings. */
  List<String> eval(RedisScript script, List<String> keys, List<String> args) {
    return strings(
        withRetries(script.operation(), client -> client.jedis().evalsha(script.sha, keys, args)));
  }

  /**
   * Sends {@code send} for every item, {@value #MAX_PER_ROUND_TRIP} items per pipelined round trip,
   * and returns what each reply reads as, aligned with the items.
   *
   * @param send queues an item's commands; returns how to read their replies once they are back
   * @param failed the result of an item whose own record Redis cannot use ({@link Failure#ELEMENT})
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
                  chunk.forEach(item -> replies.add(send.apply(pipeline, item)));
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
      if (Failure.of(e) != Failure.ELEMENT) {
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

  /** Runs {@code call}, retried as {@link Failure} says. */
  <T> T withRetries(String operation, Function<RedisClient, T> call) {
    BackOff backoff = RETRY_BACKOFF.backoff();
    for (int failures = 0; ; ) {
      try {
        T result = call.apply(client);
        if (failures > 0) {
          LOG.info("Redis answered {} again after {} failed attempts", operation, failures);
        }
        return result;
      } catch (JedisException e) {
        Failure failure = Failure.of(e);
        if (failure == Failure.NO_SCRIPT) {
          loadScripts();
          continue;
        }
        failures++;
        if (!retryForever) {
          throw new RedisUnavailableException(operation, e);
        }
        if (failure == Failure.AUTH) {
          client.authFailed();
        } else if (failure == Failure.TOPOLOGY) {
          client.refreshTopology();
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
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Redis", interrupted);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      client.close();
    }
  }

  private void loadScripts() {
    for (RedisScript script : RedisScript.values()) {
      String sha = client.loadScript(script.source);
      if (!sha.equals(script.sha)) {
        throw new IllegalStateException("Redis hashed " + script + " as " + sha);
      }
    }
  }

  /** One line about {@code error} and its causes, for a log. */
  private static String describe(Throwable error) {
    Throwable cause = error.getCause();
    return error.getMessage() + (cause == null ? "" : ": " + describe(cause));
  }

  /** A reply as strings: Jedis returns bulk strings as bytes or text, integers as Long. */
  private static List<String> strings(Object reply) {
    List<String> out = new ArrayList<>();
    for (Object item : reply instanceof List<?> list ? list : Collections.singletonList(reply)) {
      out.add(item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : "" + item);
    }
    return out;
  }
}
