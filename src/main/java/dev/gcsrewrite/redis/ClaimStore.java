package dev.gcsrewrite.claim;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.work.Claim;
import dev.gcsrewrite.work.Outcome;
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
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The claims in Redis: claim, settle and release generations in batches, and read records back.
 *
 * <p>Every batch is one network round trip (in a cluster, one per node holding some of its keys):
 * the scripts of all its elements go out in one pipeline (at most {@value #MAX_PER_ROUND_TRIP} per
 * round trip) and each script decides one generation atomically. All three operations are
 * idempotent for an owner, which is what makes a retry after a failure half-way through a pipeline
 * safe: a claim this owner already made comes back REENTRANT, a settled generation ALREADY settled,
 * a released claim NOT_HELD.
 *
 * <p>Failures come in two kinds. Those of Redis itself (down, failing over, timing out, a cluster
 * re-sharding, a rotated AUTH string) are retried with backoff for as long as it takes by a store
 * made for the pipeline, so that elements are neither dropped nor let through unclaimed and the
 * pipeline resumes by itself; a store made for a command line tries once and reports. Those of one
 * generation's own record (a key of the wrong type, a script error on its values) would fail every
 * retry: they come back as that element's result ({@link ClaimOutcome#FAILED}, {@link
 * StoreWrite#error}) for the caller to dead-letter, and the rest of the batch goes on.
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

  /** Where the store gets its client: a shared, refreshable one, or one of its own. */
  interface Clients extends AutoCloseable {
    RedisClient current();

    /** Redis refused {@code failed}'s credentials: read them again if that can help. */
    void authFailed(RedisClient failed);

    @Override
    void close();
  }

  private final Clients clients;
  private final ClaimKeys keys;
  private final boolean retryForever;
  private final AtomicLong roundTrips = new AtomicLong();

  ClaimStore(Clients clients, ClaimKeys keys, boolean retryForever) {
    this.clients = clients;
    this.keys = keys;
    this.retryForever = retryForever;
  }

  /** A store on this worker's shared client that retries until Redis answers; for DoFns. */
  public static ClaimStore forPipeline(RedisSettings settings) throws IOException {
    return new ClaimStore(
        RedisConnections.acquire(settings), new ClaimKeys(settings.keyPrefix()), true);
  }

  /** A store with a client of its own that tries once; for command-line tools. */
  public static ClaimStore forCommand(RedisSettings settings) throws IOException {
    RedisClient client = RedisClient.connect(settings);
    Clients own =
        new Clients() {
          @Override
          public RedisClient current() {
            return client;
          }

          @Override
          public void authFailed(RedisClient failed) {}

          @Override
          public void close() {
            client.close();
          }
        };
    return new ClaimStore(own, new ClaimKeys(settings.keyPrefix()), false);
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
    String stopped = String.join(",", policy.stoppedOwners());
    return pipelined(
        "claim",
        batch,
        (pipeline, n) ->
            pipeline.evalsha(
                RedisScript.CLAIM.sha(),
                objectKeys(n),
                List.of(
                    policy.owner(),
                    Long.toString(n.generation()),
                    lease,
                    n.messageId(),
                    retention,
                    stopped)),
        reply -> ClaimDecision.fromReply(strings(reply)),
        ClaimDecision::failed);
  }

  /**
   * Settles each outcome of {@code batch} under its claim: COMPLETED with its output, or SKIPPED
   * with its reason; see {@link Settlement} for what settling may find.
   */
  public List<Settlement> settle(List<Outcome> batch, ClaimSettings policy) {
    String retention = Long.toString(policy.retention().getMillis());
    return pipelined(
        "settle",
        batch,
        (pipeline, outcome) -> {
          GcsNotification n = outcome.notification();
          boolean complete = outcome.kind() == Outcome.Kind.COMPLETE;
          return pipeline.evalsha(
              RedisScript.SETTLE.sha(),
              objectKeys(n),
              List.of(
                  policy.owner(),
                  Long.toString(n.generation()),
                  Long.toString(outcome.claimToken()),
                  complete ? "COMPLETED" : "SKIPPED",
                  String.valueOf(complete ? outcome.outputUri() : outcome.reason()),
                  retention,
                  n.messageId(),
                  Long.toString(complete ? outcome.outputBytes() : -1)));
        },
        reply -> Settlement.fromReply(strings(reply)),
        Settlement::failed);
  }

  /**
   * Records that the complete (or skipped) event of each settled generation of {@code
   * generationKeys} ({@link ClaimKeys#generation}) was published, at {@code publishedAtMillis}; one
   * round trip per chunk. A generation without a settled record is left alone. Returns, aligned
   * with the keys, whether each was marked.
   */
  public List<Boolean> announce(List<String> generationKeys, long publishedAtMillis) {
    String at = Long.toString(publishedAtMillis);
    return pipelined(
        "announce",
        generationKeys,
        (pipeline, key) -> pipeline.evalsha(RedisScript.ANNOUNCE.sha(), List.of(key), List.of(at)),
        reply -> Long.valueOf(1).equals(reply),
        error -> false);
  }

  /**
   * Releases each claim of {@code batch}: the object's lock if the claim still holds it, and the
   * generation's record if the claim left it in progress.
   */
  public List<StoreWrite> release(List<Claim> batch) {
    return pipelined(
        "release",
        batch,
        (pipeline, claim) ->
            pipeline.evalsha(RedisScript.RELEASE.sha(), lockKeys(claim), lockArgs(claim)),
        reply ->
            "RELEASED".equals(strings(reply).get(0)) ? StoreWrite.CHANGED : StoreWrite.UNCHANGED,
        StoreWrite::failed);
  }

  /**
   * Extends {@code claim}'s lease by {@code lease} if it is still the object's current claim;
   * returns false if it was lost (its lease ended and another claim took the object).
   */
  public boolean renew(Claim claim, Duration lease) {
    List<String> args = new ArrayList<>(lockArgs(claim));
    args.add(Long.toString(lease.getMillis()));
    return "RENEWED".equals(script("renew", RedisScript.RENEW, lockKeys(claim), args).get(0));
  }

  /** Records what the writer found reading {@code claim}'s content, for its settlement. */
  public void note(Claim claim, String readResult, ClaimSettings policy) {
    GcsNotification n = claim.notification();
    script(
        "note",
        RedisScript.NOTE,
        List.of(keys.generation(n.bucket(), n.objectId(), n.generation())),
        List.of(readResult, Long.toString(policy.retention().getMillis())));
  }

  /**
   * Takes the lock of {@code object}'s object to write its latest completed generation again;
   * returns that generation's claim (its notification made from {@code object}'s), or null when the
   * lock is busy (its holder writes last, and is told to write again if it wrote earlier) or
   * nothing is completed.
   */
  public @Nullable Claim repair(GcsNotification object, ClaimSettings policy) {
    List<String> reply =
        script(
            "repair",
            RedisScript.REPAIR,
            List.of(
                keys.latest(object.bucket(), object.objectId()),
                keys.lock(object.bucket(), object.objectId())),
            List.of(policy.owner(), Long.toString(policy.lease().getMillis())));
    if (!reply.get(0).equals("REPAIR")) {
      return null;
    }
    return new Claim(
        object.withGeneration(Long.parseLong(reply.get(1))), Long.parseLong(reply.get(2)));
  }

  /**
   * Releases the lock {@code claim} holds (after a repair or a cleanup); returns whether a stale
   * write may have landed meanwhile, so that the output must be written again.
   */
  public boolean releaseLock(Claim claim) {
    List<String> reply = script("release", RedisScript.RELEASE, lockKeys(claim), lockArgs(claim));
    return reply.size() > 1 && reply.get(1).equals("1");
  }

  private List<String> lockKeys(Claim claim) {
    GcsNotification n = claim.notification();
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.lock(n.bucket(), n.objectId()));
  }

  private static List<String> lockArgs(Claim claim) {
    return List.of(Long.toString(claim.notification().generation()), Long.toString(claim.token()));
  }

  /** One script call outside a batch, retried like the rest. */
  private List<String> script(
      String operation, RedisScript script, List<String> keys, List<String> args) {
    return strings(
        withRetries(
            operation, client -> client.call(jedis -> jedis.evalsha(script.sha(), keys, args))));
  }

  /**
   * What Redis holds about an object: its latest completed generation and the record of every
   * generation still kept, plus {@code generation} when given even if the index lacks it.
   */
  public ObjectStatus status(String bucket, String objectId, @Nullable Long generation) {
    return withRetries(
        "status",
        client -> {
          Response<Set<String>> indexed;
          Response<Map<String, String>> latest;
          Response<Map<String, String>> lock;
          try (PipelineBase first = client.pipeline()) {
            indexed = first.smembers(keys.generations(bucket, objectId));
            latest = first.hgetAll(keys.latest(bucket, objectId));
            lock = first.hgetAll(keys.lock(bucket, objectId));
            first.sync();
          }
          List<Long> generations = new ArrayList<>();
          for (String member : indexed.get()) {
            generations.add(Long.parseLong(member));
          }
          if (generation != null && !generations.contains(generation)) {
            generations.add(generation);
          }
          Map<Long, Response<Map<String, String>>> records = new TreeMap<>();
          try (PipelineBase second = client.pipeline()) {
            for (long g : generations) {
              records.put(g, second.hgetAll(keys.generation(bucket, objectId, g)));
            }
            second.sync();
          }
          TreeMap<Long, Map<String, String>> found = new TreeMap<>();
          records.forEach(
              (g, record) -> {
                if (!record.get().isEmpty()) {
                  found.put(g, record.get());
                }
              });
          return new ObjectStatus(bucket, objectId, latest.get(), found, lock.get());
        });
  }

  @Override
  public void close() {
    clients.close();
  }

  /** The four keys of a generation's object, in the order the claim and settle scripts take. */
  private List<String> objectKeys(GcsNotification n) {
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.latest(n.bucket(), n.objectId()),
        keys.generations(n.bucket(), n.objectId()),
        keys.lock(n.bucket(), n.objectId()));
  }

  /**
   * Sends {@code send} for every item in pipelines, one round trip per chunk, and reads back:
   * {@code read} a reply, {@code failed} the error of an item whose own record Redis cannot use.
   */
  private <I, O> List<O> pipelined(
      String operation,
      List<I> items,
      BiFunction<PipelineBase, I, Response<?>> send,
      Function<Object, O> read,
      Function<String, O> failed) {
    List<O> results = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += MAX_PER_ROUND_TRIP) {
      List<I> chunk = items.subList(from, Math.min(items.size(), from + MAX_PER_ROUND_TRIP));
      results.addAll(
          withRetries(
              operation,
              client -> {
                List<Response<?>> responses = new ArrayList<>(chunk.size());
                try (PipelineBase pipeline = client.pipeline()) {
                  for (I item : chunk) {
                    responses.add(send.apply(pipeline, item));
                  }
                  pipeline.sync();
                }
                roundTrips.incrementAndGet();
                PipelineMetrics.REDIS_ROUND_TRIPS.inc();
                List<O> replies = new ArrayList<>(chunk.size());
                for (Response<?> response : responses) {
                  replies.add(readOne(response, read, failed));
                }
                return replies;
              }));
    }
    return results;
  }

  private static <O> O readOne(
      Response<?> response, Function<Object, O> read, Function<String, O> failed) {
    Object reply;
    try {
      reply = response.get();
    } catch (JedisDataException e) {
      if (!RedisErrors.isElementError(e)) {
        throw e;
      }
      PipelineMetrics.REDIS_ELEMENT_ERRORS.inc();
      return failed.apply(String.valueOf(e.getMessage()));
    } catch (IllegalStateException e) {
      // A cluster pipeline leaves the replies of a node it lost unset.
      throw new JedisConnectionException("no reply from a Redis node", e);
    }
    try {
      return read.apply(reply);
    } catch (RuntimeException e) {
      PipelineMetrics.REDIS_ELEMENT_ERRORS.inc();
      return failed.apply("unexpected reply " + reply + ": " + e);
    }
  }

  private <T> T withRetries(String operation, Function<RedisClient, T> call) {
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
        // First use, or Redis (or a node) restarted and forgot the scripts: load them, run again.
        loadScripts(client);
      } catch (JedisException e) {
        failures++;
        if (RedisErrors.isAuthFailure(e)) {
          clients.authFailed(client);
        }
        if (RedisErrors.isLayoutChange(e)) {
          client.refreshTopology();
        }
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
            RedisErrors.describe(e));
        sleep(pause);
      }
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
