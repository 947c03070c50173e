package dev.gcsrewrite.redis;

import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;

/**
 * The claims in Redis: the Lua scripts that claim, renew, settle and release generations, and the
 * reads of the status command and the reconcile dry run.
 *
 * <p>A batch costs one round trip (in a cluster, one per node holding some of its keys): the
 * scripts of all its elements go out in one pipeline, and each script decides one generation
 * atomically. Every script is idempotent for an owner, so a retry after a failure half-way through
 * a pipeline is safe: a claim this owner made comes back {@code REENTRANT}, a settled generation
 * {@code ALREADY} settled, a released claim {@code NOT_HELD}. {@link RedisCalls} says how Redis's
 * failures are ridden out; {@link ClaimKeys} lists the keys. Each script's keys, arguments and
 * replies are tabled on the method that runs it.
 *
 * <pre>{@code
 * try (ClaimStore store = ClaimStore.forCommand(settings)) {
 *   ClaimDecision decision = store.claim(List.of(notification), claimSettings).get(0);
 * }
 * }</pre>
 */
public final class ClaimStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimStore.class);

  /** A generation held under a fencing token: what the fenced scripts check before any change. */
  public interface Held {
    GcsNotification notification();

    long token();
  }

  /** How the work on a held generation ended, as {@link #settle} records it. */
  public interface Ending {
    Held claim();

    /** True if the output is in place (COMPLETED), false if nothing was written (SKIPPED). */
    boolean completed();

    /** The output URI if completed, else why nothing was written. */
    String outputUriOrReason();

    /** The output's size, or -1 when not known. */
    long outputBytes();
  }

  private record Lock(GcsNotification notification, long token) implements Held {}

  private final RedisCalls calls;
  private final ClaimKeys keys;

  private ClaimStore(RedisCalls calls, ClaimKeys keys) {
    this.calls = calls;
    this.keys = keys;
  }

  /** A store on this worker's shared client that retries until Redis answers; for DoFns. */
  public static ClaimStore forPipeline(RedisSettings settings) throws IOException {
    return new ClaimStore(
        new RedisCalls(RedisConnections.acquire(settings), true),
        new ClaimKeys(settings.keyPrefix()));
  }

  /** A store with a client of its own that tries once; for command-line tools. */
  public static ClaimStore forCommand(RedisSettings settings) throws IOException {
    return new ClaimStore(
        new RedisCalls(RedisClient.connect(settings), false), new ClaimKeys(settings.keyPrefix()));
  }

  public ClaimKeys keys() {
    return keys;
  }

  /** Pipelined round trips this store has made. */
  public long roundTrips() {
    return calls.roundTrips();
  }

  /**
   * Decides each generation of {@code batch} for the owner of {@code claimSettings}: {@code
   * claim.lua}, with at most one generation of an object in flight at a time.
   *
   * <table>
   *   <caption>claim.lua</caption>
   *   <tr><th>KEYS</th><td>the generation's record, the object's latest completed generation,
   *       its generation index, its lock ({@link #objectKeys})</td></tr>
   *   <tr><th>ARGV</th><td>owner, generation, lease (ms), message ID, retention (ms), owners
   *       known to be stopped (comma-separated, may be empty: their live leases are taken over
   *       as if ended)</td></tr>
   *   <tr><th>CLAIMED, token, previous owner</th><td>the lock is the owner's now, with a new
   *       token; the previous owner is that of an ended (or stopped) lease taken over, or
   *       ""</td></tr>
   *   <tr><th>REENTRANT, token</th><td>the owner holds it already (a retried bundle); its lease
   *       starts again</td></tr>
   *   <tr><th>DUPLICATE, state, owner, outputUri or reason, announced, token, outputBytes,
   *       completedAt</th><td>settled already; {@code announced} is "" until its complete or
   *       skipped event was published</td></tr>
   *   <tr><th>SUPERSEDED, generation</th><td>a newer generation is completed, or was
   *       claimed</td></tr>
   *   <tr><th>HELD_BY_ANOTHER_JOB, owner, lease end</th><td>another owner's lease on this
   *       generation is live</td></tr>
   *   <tr><th>OLDER_IN_FLIGHT, generation, owner, lease end</th><td>an older generation of the
   *       object is in flight</td></tr>
   * </table>
   */
  public List<ClaimDecision> claim(List<GcsNotification> batch, ClaimSettings claimSettings) {
    String lease = Long.toString(claimSettings.lease().getMillis());
    String retention = Long.toString(claimSettings.retention().getMillis());
    String stopped = String.join(",", claimSettings.stoppedOwners());
    return calls.pipelined(
        "claim",
        batch,
        (pipeline, n) -> {
          Response<Object> reply =
              pipeline.evalsha(
                  RedisScript.CLAIM.sha(),
                  objectKeys(n),
                  List.of(
                      claimSettings.owner(),
                      Long.toString(n.generation()),
                      lease,
                      n.messageId(),
                      retention,
                      stopped));
          return () -> ClaimDecision.fromReply(RedisCalls.strings(reply.get()));
        },
        (n, error) -> ClaimDecision.failed(error));
  }

  /**
   * Settles each of {@code batch} under its claim: {@code settle.lua}, which may find that it must
   * end otherwise than the work thought (see {@link Settlement}).
   *
   * <table>
   *   <caption>settle.lua</caption>
   *   <tr><th>KEYS</th><td>as {@link #claim}'s</td></tr>
   *   <tr><th>ARGV</th><td>owner, generation, token, COMPLETED or SKIPPED, output URI or reason,
   *       retention (ms), message ID, output bytes (-1: unknown)</td></tr>
   *   <tr><th>ALREADY, state, outputUri or reason</th><td>settled before: nothing
   *       changed</td></tr>
   *   <tr><th>SETTLED, state, outputUri or reason, repair, cleanup</th><td>settled now. The state
   *       is SKIPPED, whatever was asked, when the writer recorded a vanished or changed source
   *       ({@link #recordReadResult}) or a newer generation completed meanwhile ("superseded").
   *       {@code repair}: a generation whose output must be written again, since this write may
   *       have landed over it, or "". {@code cleanup}: "1" when the writer left an empty output
   *       where none was, to delete before the lock (kept for it) is released.</td></tr>
   * </table>
   */
  public List<Settlement> settle(List<? extends Ending> batch, ClaimSettings claimSettings) {
    String retention = Long.toString(claimSettings.retention().getMillis());
    return calls.pipelined(
        "settle",
        batch,
        (pipeline, ending) -> {
          GcsNotification n = ending.claim().notification();
          Response<Object> reply =
              pipeline.evalsha(
                  RedisScript.SETTLE.sha(),
                  objectKeys(n),
                  List.of(
                      claimSettings.owner(),
                      Long.toString(n.generation()),
                      Long.toString(ending.claim().token()),
                      ending.completed() ? "COMPLETED" : "SKIPPED",
                      ending.outputUriOrReason(),
                      retention,
                      n.messageId(),
                      Long.toString(ending.completed() ? ending.outputBytes() : -1)));
          return () -> Settlement.fromReply(RedisCalls.strings(reply.get()));
        },
        (ending, error) -> Settlement.failed(error));
  }

  /**
   * Records, at {@code publishedAtMillis}, that the complete or skipped event of each settled
   * generation of {@code generationKeys} ({@link ClaimKeys#generation}) was published; returns,
   * aligned with the keys, whether each was marked.
   *
   * <table>
   *   <caption>announce.lua</caption>
   *   <tr><th>KEYS</th><td>the generation's record</td></tr>
   *   <tr><th>ARGV</th><td>when the event was published (ms)</td></tr>
   *   <tr><th>1</th><td>marked (or marked before)</td></tr>
   *   <tr><th>0</th><td>no settled record (expired, or never claimed): left alone</td></tr>
   * </table>
   */
  public List<Boolean> announce(List<String> generationKeys, long publishedAtMillis) {
    List<String> at = List.of(Long.toString(publishedAtMillis));
    return calls.pipelined(
        "announce",
        generationKeys,
        (pipeline, key) -> {
          Response<Object> reply = pipeline.evalsha(RedisScript.ANNOUNCE.sha(), List.of(key), at);
          return () -> Long.valueOf(1).equals(reply.get());
        },
        (key, error) -> false);
  }

  /**
   * Releases each claim of {@code batch} (work that failed for good, so that a fixed notification
   * can claim it at once); returns, aligned with it, whether each was still held.
   *
   * <table>
   *   <caption>release.lua</caption>
   *   <tr><th>KEYS</th><td>the generation's record, the object's lock</td></tr>
   *   <tr><th>ARGV</th><td>generation, token</td></tr>
   *   <tr><th>RELEASED or NOT_HELD, dirty</th><td>{@code RELEASED} when the lock was the
   *       claim's (it is freed) or its record was in progress under it (it is deleted; a settled
   *       record is kept). {@code dirty} is "1" when a stale writer's rename may have landed
   *       while the lock was held: the output must be written again.</td></tr>
   * </table>
   */
  public List<Boolean> release(List<? extends Held> batch) {
    return calls.pipelined(
        "release",
        batch,
        (pipeline, claim) -> {
          Response<Object> reply =
              pipeline.evalsha(RedisScript.RELEASE.sha(), lockKeys(claim), lockArgs(claim));
          return () -> "RELEASED".equals(RedisCalls.strings(reply.get()).get(0));
        },
        (claim, error) -> {
          LOG.warn(
              "Could not release the claim on {} (it ends with its lease): {}",
              claim.notification().generationKey(),
              error);
          return false;
        });
  }

  /**
   * Releases the lock {@code claim} holds after a repair or a cleanup ({@code release.lua}, as
   * {@link #release}); returns whether a stale write may have landed meanwhile.
   */
  public boolean releaseLock(Held claim) {
    List<String> reply =
        calls.script("release", RedisScript.RELEASE, lockKeys(claim), lockArgs(claim));
    return reply.get(1).equals("1");
  }

  /**
   * Extends {@code claim}'s lease by {@code lease} if it is still the object's current claim;
   * returns false if it was lost (its lease ended and another claim took the object).
   *
   * <table>
   *   <caption>renew.lua</caption>
   *   <tr><th>KEYS</th><td>the generation's record, the object's lock</td></tr>
   *   <tr><th>ARGV</th><td>generation, token, lease (ms)</td></tr>
   *   <tr><th>RENEWED</th><td>the lock's lease (and an in-progress record's) starts
   *       again</td></tr>
   *   <tr><th>LOST</th><td>the lock names another generation or token: nothing changed</td></tr>
   * </table>
   */
  public boolean renew(Held claim, Duration lease) {
    List<String> args = new ArrayList<>(lockArgs(claim));
    args.add(Long.toString(lease.getMillis()));
    return "RENEWED".equals(calls.script("renew", RedisScript.RENEW, lockKeys(claim), args).get(0));
  }

  /**
   * Records in {@code generation}'s record what its writer found reading its content ({@code
   * vanished:empty}, {@code vanished:preserved}, {@code changed:...}), for its settlement.
   *
   * <table>
   *   <caption>read_result.lua</caption>
   *   <tr><th>KEYS</th><td>the generation's record</td></tr>
   *   <tr><th>ARGV</th><td>what was found, retention (ms; for a record that expired with its
   *       lease meanwhile)</td></tr>
   *   <tr><th>RECORDED</th><td>always</td></tr>
   * </table>
   */
  public void recordReadResult(GcsNotification generation, String readResult, Duration retention) {
    calls.script(
        "record read result",
        RedisScript.READ_RESULT,
        List.of(
            keys.generation(generation.bucket(), generation.objectId(), generation.generation())),
        List.of(readResult, Long.toString(retention.getMillis())));
  }

  /**
   * Takes the lock of {@code object}'s object to write its latest completed generation again;
   * returns that generation (its notification made from {@code object}'s) under its new token, or
   * null when nothing is completed or the lock is busy (its holder writes last, and is told to
   * write again if it wrote before).
   *
   * <table>
   *   <caption>repair.lua</caption>
   *   <tr><th>KEYS</th><td>the object's latest completed generation, its lock</td></tr>
   *   <tr><th>ARGV</th><td>owner, lease (ms)</td></tr>
   *   <tr><th>REPAIR, generation, token</th><td>the lock is taken, with a new token</td></tr>
   *   <tr><th>BUSY</th><td>the lock is held: it is marked dirty instead</td></tr>
   *   <tr><th>NONE</th><td>nothing completed to write</td></tr>
   * </table>
   */
  public @Nullable Held repair(GcsNotification object, ClaimSettings claimSettings) {
    List<String> reply =
        calls.script(
            "repair",
            RedisScript.REPAIR,
            List.of(
                keys.latest(object.bucket(), object.objectId()),
                keys.lock(object.bucket(), object.objectId())),
            List.of(claimSettings.owner(), Long.toString(claimSettings.lease().getMillis())));
    if (!reply.get(0).equals("REPAIR")) {
      return null;
    }
    return new Lock(
        object.withGeneration(Long.parseLong(reply.get(1))), Long.parseLong(reply.get(2)));
  }

  /**
   * What Redis holds about an object: its latest completed generation, its lock, and the record of
   * every generation still kept, plus {@code generation} when given even if the index lacks it.
   */
  public ObjectStatus status(String bucket, String objectId, @Nullable Long generation) {
    return calls.withRetries(
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
          Set<Long> generations = new TreeSet<>();
          indexed.get().forEach(member -> generations.add(Long.parseLong(member)));
          if (generation != null) {
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
          records.forEach((g, record) -> found.put(g, record.get()));
          found.values().removeIf(Map::isEmpty);
          return new ObjectStatus(bucket, objectId, latest.get(), found, lock.get());
        });
  }

  /**
   * What Redis records about each of {@code batch}, read only (two reads per generation, one round
   * trip per thousand); tries once, as command-line tools do.
   */
  public List<GenerationState> states(List<GenerationState.Generation> batch) {
    return calls.pipelined(
        "read states",
        batch,
        (pipeline, g) -> {
          Response<List<String>> record =
              pipeline.hmget(
                  keys.generation(g.bucket(), g.objectId(), g.generation()),
                  "state",
                  "owner",
                  "outputUri",
                  "reason",
                  "announced");
          Response<String> latest =
              pipeline.hget(keys.latest(g.bucket(), g.objectId()), "generation");
          return () -> GenerationState.of(g.generation(), record.get(), latest.get());
        },
        (g, error) -> {
          throw new IllegalStateException("Redis cannot read the records of " + g + ": " + error);
        });
  }

  @Override
  public void close() {
    calls.close();
  }

  /** The four keys of a generation's object, in the order the claim and settle scripts take. */
  private List<String> objectKeys(GcsNotification n) {
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.latest(n.bucket(), n.objectId()),
        keys.generations(n.bucket(), n.objectId()),
        keys.lock(n.bucket(), n.objectId()));
  }

  private List<String> lockKeys(Held claim) {
    GcsNotification n = claim.notification();
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.lock(n.bucket(), n.objectId()));
  }

  private static List<String> lockArgs(Held claim) {
    return List.of(Long.toString(claim.notification().generation()), Long.toString(claim.token()));
  }
}
