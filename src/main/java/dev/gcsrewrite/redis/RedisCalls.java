package dev.gcsrewrite.redis;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Round trips to Redis that ride out its failures, each sorted by {@link Failure#of}: the one place
 * that says what a Redis error means.
 */
final class RedisCalls implements AutoCloseable {
  /** Most commands sent in one pipeline; a larger batch takes more round trips. */
  static final int MAX_PER_ROUND_TRIP = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(ClaimStore.class);
  private static final long RETRY_BACKOFF_MAX_MILLIS = 30_000;
  private static final FluentBackoff RETRY_BACKOFF =
      FluentBackoff.DEFAULT
          .withInitialBackoff(Duration.millis(100))
          .withMaxBackoff(Duration.millis(RETRY_BACKOFF_MAX_MILLIS))
          .withExponent(2);

  /** How often a streak of failures is logged while it lasts. */
  private static final Duration LOG_INTERVAL = Duration.standardMinutes(1);

  /**
   * What a Redis error means for the call that met it, read from its error code: the reply's first
   * word, or, where Redis 6 wraps an error raised inside a script ({@code ERR Error running script
   * ... -OOM ...}), the code of the error it wraps.
   *
   * <table>
   *   <caption>Error codes and what the call does</caption>
   *   <tr><th>code<th>failure<th>the call
   *   <tr><td>NOSCRIPT<td>{@link #NO_SCRIPT}<td>loads the scripts, sends again
   *   <tr><td>NOAUTH, WRONGPASS<td>{@link #AUTH}<td>reads the secret again, retries
   *   <tr><td>CLUSTERDOWN, TRYAGAIN, MOVED, ASK<td>{@link #TOPOLOGY}<td>reads the layout again,
   *       retries
   *   <tr><td>{@value #UNUSABLE}, WRONGTYPE<td>{@link #ELEMENT}<td>that element's result
   *   <tr><td>OOM, READONLY, MISCONF, LOADING, BUSY, MASTERDOWN, NOREPLICAS; no connection
   *       <td>{@link #OUTAGE}<td>waits and retries
   *   <tr><td>anything else<td>{@link #UNEXPECTED}<td>waits and retries
   * </table>
   */
  enum Failure {
    NO_SCRIPT,
    AUTH,
    TOPOLOGY,
    /** One element's own record is unusable: it would fail every retry, so it is its result. */
    ELEMENT,
    /** Redis can serve no one for now: down, full, read-only, loading, busy. */
    OUTAGE,
    /** An error no rule knows: retried as an outage, and logged with its whole text. */
    UNEXPECTED;

    /** The error code our scripts reply with when a generation's or object's record is unusable. */
    static final String UNUSABLE = "UNUSABLE";

    private static final Set<String> AUTH_CODES = Set.of("NOAUTH", "WRONGPASS");
    private static final Set<String> TOPOLOGY_CODES =
        Set.of("CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK");
    private static final Set<String> OUTAGE_CODES =
        Set.of("OOM", "READONLY", "MISCONF", "LOADING", "BUSY", "MASTERDOWN", "NOREPLICAS");
    private static final Pattern WRAPPED_CODE = Pattern.compile(".* -([A-Z]+) ");

    static Failure of(Throwable error) {
      // A refused AUTH or a moved slot may come wrapped, in the exception of a connection.
      boolean disconnected = false;
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        disconnected |= cause instanceof JedisConnectionException;
        String code = code(String.valueOf(cause.getMessage()));
        if (cause instanceof JedisAccessControlException || AUTH_CODES.contains(code)) {
          return AUTH;
        }
        if (cause instanceof JedisRedirectionException
            || cause instanceof JedisClusterOperationException
            || TOPOLOGY_CODES.contains(code)) {
          return TOPOLOGY;
        }
      }
      if (!(error instanceof JedisDataException)) {
        return disconnected ? OUTAGE : UNEXPECTED;
      }
      String code = code(String.valueOf(error.getMessage()));
      if (code.equals(UNUSABLE) || code.equals("WRONGTYPE")) {
        return ELEMENT;
      }
      return code.equals("NOSCRIPT")
          ? NO_SCRIPT
          : OUTAGE_CODES.contains(code) ? OUTAGE : UNEXPECTED;
    }

    /** The error code of a reply: its first word, or that of the error a script error wraps. */
    static String code(String message) {
      if (message.startsWith("ERR Error running script")) {
        Matcher wrapped = WRAPPED_CODE.matcher(message);
        if (wrapped.find()) {
          return wrapped.group(1);
        }
      }
      int space = message.indexOf(' ');
      return space < 0 ? message : message.substring(0, space);
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

  /**
   * Runs {@code call}, retried as {@link Failure} says. A streak of failures is logged when it
   * starts, then at most once per {@link #LOG_INTERVAL}, and when Redis answers again.
   */
  <T> T withRetries(String operation, Function<RedisClient, T> call) {
    BackOff backoff = RETRY_BACKOFF.backoff();
    long firstFailure = 0;
    long lastLog = 0;
    for (int failures = 0; ; ) {
      try {
        T result = call.apply(client);
        if (failures > 0) {
          LOG.info(
              "Redis answered {} again after {} failed attempts over {} s",
              operation,
              failures,
              (System.currentTimeMillis() - firstFailure) / 1000);
        }
        return result;
      } catch (JedisException e) {
        Failure failure = Failure.of(e);
        if (failure == Failure.NO_SCRIPT) {
          loadScripts();
          continue;
        }
        if (!retryForever) {
          throw new RedisUnavailableException(operation, e);
        }
        long now = System.currentTimeMillis();
        if (failures++ == 0) {
          firstFailure = now;
        }
        if (failure == Failure.AUTH) {
          client.authFailed();
        } else if (failure == Failure.TOPOLOGY) {
          client.refreshTopology();
        } else if (failure == Failure.OUTAGE) {
          PipelineMetrics.REDIS_OUTAGE_RETRIES.inc();
        }
        PipelineMetrics.REDIS_RETRIES.inc();
        long pause = backoff.nextBackOffMillis();
        pause = pause == BackOff.STOP ? RETRY_BACKOFF_MAX_MILLIS : pause;
        if (failures == 1 || now - lastLog >= LOG_INTERVAL.getMillis()) {
          lastLog = now;
          LOG.warn(
              "Redis {} failed ({}), attempt {} over {} s, retrying in {} ms: {}",
              operation,
              failure,
              failures,
              (now - firstFailure) / 1000,
              pause,
              describe(e));
        }
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
