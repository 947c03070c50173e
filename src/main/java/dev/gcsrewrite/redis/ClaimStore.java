package dev.gcsrewrite.redis;

import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

/**
 * The claims in Redis: the Lua scripts that claim, renew, settle and release generations, the reads
 * of the status and reconcile commands, and the jobs' heartbeats ({@link JobHeartbeat}).
 *
 * <ul>
 *   <li>A batch costs one round trip (in a cluster, one per node holding some of its keys): its
 *       elements' scripts go out in one pipeline, each deciding one generation atomically.
 *   <li>Every script is idempotent for an owner, so a retry after a failure half-way through a
 *       pipeline is safe: a claim comes back {@code REENTRANT}, a settlement {@code ALREADY}, a
 *       release {@code NOT_HELD}.
 *   <li>{@link RedisCalls} rides out Redis's failures; {@link ClaimKeys} lists the keys; each
 *       script's keys, arguments and replies are tabled on the method that runs it. Every script
 *       first checks that its keys hold hashes (the claim's and settlement's third, a set), else
 *       replies {@code UNUSABLE <key> holds a <kind>, not a <kind>}: that element's failure.
 * </ul>
 *
 * <pre>{@code
 * try (ClaimStore store = ClaimStore.forCommand(settings)) {
 *   ClaimDecision decision = store.claim(List.of(notification), claimSettings).get(0);
 * }
 * }</pre>
 */
public final class ClaimStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClaimStore.class);

  /** A generation held under a fencing token, which the fenced scripts check before any change. */
  public interface Held {
    GcsNotification notification();

    long token();
  }

  /** How the work on a held generation ended, for {@link #settle}. */
  public interface Ending {
    Held claim();

    /** True if the output is in place (COMPLETED), false if nothing was written (SKIPPED). */
    boolean completed();

    String outputUriOrReason();

    /** The output's size, or -1 when not known. */
    long outputBytes();
  }

  /** What {@link #keepWhileWriting} returns: closing it ends the writing, not the claim. */
  public interface Writing extends AutoCloseable {
    @Override
    void close();
  }

  private record Lock(GcsNotification notification, long token) implements Held {}

  private final RedisCalls calls;
  private final ClaimKeys keys;
  private final @Nullable LeaseKeeper keeper;
  private final StoppedJobs stoppedJobs = new StoppedJobs(this);

  private ClaimStore(RedisClient client, boolean retryForever, RedisSettings settings) {
    this.calls = new RedisCalls(client, retryForever);
    this.keys = new ClaimKeys(settings.keyPrefix());
    this.keeper = retryForever ? LeaseKeeper.of(settings) : null;
  }

  /**
   * A store on this worker's shared client that retries until Redis answers, whose claims are kept
   * alive by the worker's {@link LeaseKeeper} until they are settled or released; for DoFns.
   */
  public static ClaimStore forPipeline(RedisSettings settings) throws IOException {
    return new ClaimStore(RedisClient.shared(settings), true, settings);
  }

  /** A store on this worker's shared client that tries once; for the heartbeat. */
  static ClaimStore tryingOnce(RedisSettings settings) throws IOException {
    return new ClaimStore(RedisClient.shared(settings), false, settings);
  }

  /** A store with a client of its own that tries once; for command-line tools and leases. */
  public static ClaimStore forCommand(RedisSettings settings) throws IOException {
    return new ClaimStore(new RedisClient(settings), false, settings);
  }

  public ClaimKeys keys() {
    return keys;
  }

  /** Pipelined round trips this store has made. */
  public long roundTrips() {
    return calls.roundTrips();
  }

  /**
   * Decides each generation of {@code batch} for the owner of {@code claimSettings}, with at most
   * one generation of an object in flight at a time.
   *
   * <p>The stopped owners of {@code claimSettings} that beat all the same are left out: they run
   * ({@link StoppedJobs#stillStopped}).
   *
   * <table>
   *   <caption>claim.lua</caption>
   *   <tr><th>KEYS<td>{@link #objectKeys}
   *   <tr><th>ARGV<td>owner, generation, lease ms, message ID, retention ms, stopped owners ("a,b"
   *       or "": their live leases are taken over as if ended)
   *   <tr><th>CLAIMED, token, previous owner<td>the lock is the owner's, with a new token; the
   *       previous owner is that of an ended (or stopped) lease taken over, or ""
   *   <tr><th>REENTRANT, token<td>the owner holds it already (a retried bundle): its lease restarts
   *   <tr><th>DUPLICATE, state, owner, outputUri or reason, announced, token, outputBytes,
   *       completedAt<td>settled already; {@code announced} is "" until its event was published
   *   <tr><th>SUPERSEDED, generation<td>a newer generation is completed, or was claimed
   *   <tr><th>HELD_BY_ANOTHER_JOB, owner, lease end<td>another owner's lease on it is live
   *   <tr><th>OLDER_IN_FLIGHT, generation, owner, lease end<td>an older generation is in flight
   * </table>
   */
  public List<ClaimDecision> claim(List<GcsNotification> batch, ClaimSettings claimSettings) {
    String owner = claimSettings.owner();
    String lease = millis(claimSettings.lease());
    String retention = millis(claimSettings.retention());
    String stopped = String.join(",", stoppedJobs.stillStopped(claimSettings.stoppedOwners()));
    List<ClaimDecision> decisions =
        calls.evalEach(
            RedisScript.CLAIM,
            batch,
            this::objectKeys,
            n -> List.of(owner, "" + n.generation(), lease, n.messageId(), retention, stopped),
            ClaimDecision::fromReply,
            (n, error) -> ClaimDecision.failed(error));
    if (keeper != null) {
      for (int i = 0; i < batch.size(); i++) {
        ClaimDecision decision = decisions.get(i);
        if (decision.kind() == ClaimDecision.Kind.CLAIMED
            || decision.kind() == ClaimDecision.Kind.REENTRANT) {
          keeper.keep(new Lock(batch.get(i), decision.token()), claimSettings);
        }
      }
      keeper.countInto();
    }
    return decisions;
  }

  /**
   * Settles each of {@code batch} under its claim, which may end otherwise than the work thought
   * ({@link Settlement}).
   *
   * <table>
   *   <caption>settle.lua</caption>
   *   <tr><th>KEYS<td>{@link #objectKeys}
   *   <tr><th>ARGV<td>owner, generation, token, COMPLETED or SKIPPED, output URI or reason,
   *       retention ms, message ID, output bytes (-1: unknown)
   *   <tr><th>ALREADY, state, outputUri or reason, repair<td>settled (or failed) before: nothing
   *       changed;
   *       {@code repair} as below, when this writer's file landed after the settlement
   *   <tr><th>SETTLED, state, outputUri or reason, repair, cleanup<td>settled now; SKIPPED
   *       whatever was asked if the writer found its source vanished or changed ({@link
   *       #recordReadResult}) or a newer generation completed meanwhile ("superseded"); FAILED,
   *       with why, if it found the source unreadable; {@code repair} ("" for none) and {@code
   *       cleanup} ("1" or "") as {@link Settlement} says
   * </table>
   */
  public List<Settlement> settle(List<? extends Ending> batch, ClaimSettings claimSettings) {
    String retention = millis(claimSettings.retention());
    List<Settlement> settlements =
        calls.evalEach(
            RedisScript.SETTLE,
            batch,
            ending -> objectKeys(ending.claim().notification()),
            ending ->
                List.of(
                    claimSettings.owner(),
                    "" + ending.claim().notification().generation(),
                    "" + ending.claim().token(),
                    ending.completed() ? "COMPLETED" : "SKIPPED",
                    ending.outputUriOrReason(),
                    retention,
                    ending.claim().notification().messageId(),
                    "" + (ending.completed() ? ending.outputBytes() : -1)),
            Settlement::fromReply,
            (ending, error) -> Settlement.failed(error));
    if (keeper != null) {
      for (int i = 0; i < batch.size(); i++) {
        if (!settlements.get(i).cleanup()) {
          keeper.forget(batch.get(i).claim());
        }
      }
      keeper.countInto();
    }
    return settlements;
  }

  /**
   * Records that the complete or skipped event of each settled generation of {@code generationKeys}
   * ({@link ClaimKeys#generation}) was published; returns whether each was marked.
   *
   * <table>
   *   <caption>announce.lua</caption>
   *   <tr><th>KEYS<td>the generation's record
   *   <tr><th>ARGV<td>when the event was published (ms)
   *   <tr><th>1<td>marked (or marked before)
   *   <tr><th>0<td>no settled record (expired, or never claimed): left alone
   * </table>
   */
  public List<Boolean> announce(List<String> generationKeys, long publishedAtMillis) {
    List<String> at = List.of(Long.toString(publishedAtMillis));
    return calls.evalEach(
        RedisScript.ANNOUNCE,
        generationKeys,
        List::of,
        key -> at,
        reply -> reply.get(0).equals("1"),
        (key, error) -> false);
  }

  /**
   * Releases each claim of {@code batch} (its work failed for good: a fixed notification may claim
   * it at once); returns whether each was still held.
   *
   * <table>
   *   <caption>release.lua</caption>
   *   <tr><th>KEYS<td>the generation's record, the object's lock
   *   <tr><th>ARGV<td>generation, token
   *   <tr><th>RELEASED or NOT_HELD, dirty<td>RELEASED if the lock was the claim's (it is freed) or
   *       the record in progress under it (it is deleted; a settled one is kept). {@code dirty}:
   *       "1" if a stale writer's rename may have landed meanwhile: write the output again
   * </table>
   */
  public List<Released> release(List<? extends Held> batch) {
    batch.forEach(this::forget);
    return calls.evalEach(
        RedisScript.RELEASE,
        batch,
        this::lockKeys,
        ClaimStore::lockArgs,
        Released::fromReply,
        (claim, error) -> {
          String key = claim.notification().generationKey();
          LOG.warn("Could not release the claim on {} (it ends with its lease): {}", key, error);
          return new Released(false, false);
        });
  }

  /**
   * What releasing a claim found.
   *
   * @param held whether the lock (or the record in progress) was still the claim's
   * @param dirty whether a file renamed without the lock may have landed while it was held: the
   *     object's latest completed generation is to be written again
   */
  public record Released(boolean held, boolean dirty) {
    static Released fromReply(List<String> reply) {
      return new Released(reply.get(0).equals("RELEASED"), reply.get(1).equals("1"));
    }

    /** Whether the output may not be what the releaser left: lost meanwhile, or marked dirty. */
    public boolean outputInDoubt() {
      return dirty || !held;
    }
  }

  /**
   * Releases {@code claim}'s lock after a repair or a cleanup ({@code release.lua}), which changed
   * the output without a fence; returns whether the output is in doubt since: the lock was lost
   * meanwhile (another holder may have written before this change landed) or marked dirty.
   */
  public boolean releaseLock(Held claim) {
    forget(claim);
    return Released.fromReply(calls.eval(RedisScript.RELEASE, lockKeys(claim), lockArgs(claim)))
        .outputInDoubt();
  }

  /**
   * Extends {@code claim}'s lease by {@code lease}; returns false if the claim was lost (its lease
   * ended and another claim took the object).
   *
   * <table>
   *   <caption>renew.lua</caption>
   *   <tr><th>KEYS<td>the generation's record, the object's lock
   *   <tr><th>ARGV<td>generation, token, lease ms
   *   <tr><th>RENEWED<td>the lock's lease (and an in-progress record's) restarts
   *   <tr><th>LOST<td>the lock names another generation or token: nothing changed
   * </table>
   */
  public boolean renew(Held claim, Duration lease) {
    return renewEach(List.of(claim), List.of(lease)).get(0);
  }

  /** {@link #renew}s each of {@code claims}, by the lease of {@code leases} at the same index. */
  List<Boolean> renewEach(List<Held> claims, List<Duration> leases) {
    Map<Held, String> leaseOf = new java.util.IdentityHashMap<>();
    for (int i = 0; i < claims.size(); i++) {
      leaseOf.put(claims.get(i), millis(leases.get(i)));
    }
    return calls.evalEach(
        RedisScript.RENEW,
        claims,
        this::lockKeys,
        claim ->
            List.of("" + claim.notification().generation(), "" + claim.token(), leaseOf.get(claim)),
        reply -> reply.get(0).equals("RENEWED"),
        (claim, error) -> false);
  }

  /**
   * Keeps {@code claim}'s lease renewed for as long as the returned handle is open: while its
   * output is written, however long that takes.
   */
  public Writing keepWhileWriting(Held claim, ClaimSettings claimSettings) {
    return keeper == null ? () -> {} : keeper.whileWriting(claim, claimSettings);
  }

  private void forget(Held claim) {
    if (keeper != null) {
      keeper.forget(claim);
    }
  }

  /**
   * Records in {@code n}'s record what its writer found reading it, for its settlement: {@code
   * <found>:<left>[:<why>]} with found {@code vanished}, {@code changed} or {@code unreadable} and
   * left (what the output holds) {@code empty}, {@code preserved} or {@code partial}; or {@code
   * changed:<how>} for content read whole but not as notified.
   *
   * <table>
   *   <caption>read_result.lua</caption>
   *   <tr><th>KEYS<td>the generation's record
   *   <tr><th>ARGV<td>what was found, retention ms (for a record that expired meanwhile)
   *   <tr><th>RECORDED<td>always
   * </table>
   */
  public void recordReadResult(GcsNotification n, String readResult, Duration retention) {
    calls.eval(
        RedisScript.READ_RESULT,
        List.of(keys.generation(n.bucket(), n.objectId(), n.generation())),
        List.of(readResult, millis(retention)));
  }

  /**
   * Takes the lock of {@code object}'s object to write its latest completed generation again;
   * returns that generation under its new token, or null when nothing is completed or the lock is
   * busy (its holder writes last, and is told to write again if it wrote before).
   *
   * <table>
   *   <caption>repair.lua</caption>
   *   <tr><th>KEYS<td>the object's latest completed generation, its lock
   *   <tr><th>ARGV<td>owner, lease ms
   *   <tr><th>REPAIR, generation, token<td>the lock is taken, with a new token
   *   <tr><th>BUSY<td>the lock is held: it is marked dirty instead
   *   <tr><th>NONE<td>nothing completed to write
   * </table>
   */
  public @Nullable Held repair(GcsNotification object, ClaimSettings claimSettings) {
    List<String> reply =
        calls.eval(
            RedisScript.REPAIR,
            List.of(
                keys.latest(object.bucket(), object.objectId()),
                keys.lock(object.bucket(), object.objectId())),
            List.of(claimSettings.owner(), millis(claimSettings.lease())));
    if (!reply.get(0).equals("REPAIR")) {
      return null;
    }
    Held repairing =
        new Lock(object.withGeneration(Long.parseLong(reply.get(1))), Long.parseLong(reply.get(2)));
    if (keeper != null) {
      keeper.keep(repairing, claimSettings);
    }
    return repairing;
  }

  /**
   * What Redis holds about an object: its latest completed generation, its lock, and the record of
   * every generation still kept, plus {@code generation} when given even if the index lacks it.
   */
  public ObjectStatus status(String bucket, String objectId, @Nullable Long generation) {
    // Two pipelined round trips (the index and the object's hashes, then each generation's record)
    // rather than one per key: serve-status answers lookups with this.
    return calls.withRetries(
        "status",
        client -> {
          Response<Set<String>> index;
          Response<Map<String, String>> latest;
          Response<Map<String, String>> lock;
          try (PipelineBase pipeline = client.pipeline()) {
            index = pipeline.smembers(keys.generations(bucket, objectId));
            latest = pipeline.hgetAll(keys.latest(bucket, objectId));
            lock = pipeline.hgetAll(keys.lock(bucket, objectId));
            pipeline.sync();
          }
          Set<Long> indexed = new TreeSet<>();
          index.get().forEach(g -> indexed.add(Long.parseLong(g)));
          if (generation != null) {
            indexed.add(generation);
          }
          Map<Long, Response<Map<String, String>>> replies = new TreeMap<>();
          if (!indexed.isEmpty()) {
            try (PipelineBase pipeline = client.pipeline()) {
              indexed.forEach(
                  g -> replies.put(g, pipeline.hgetAll(keys.generation(bucket, objectId, g))));
              pipeline.sync();
            }
          }
          SortedMap<Long, Map<String, String>> records = new TreeMap<>();
          replies.forEach(
              (g, reply) -> {
                if (!reply.get().isEmpty()) {
                  records.put(g, reply.get());
                }
              });
          return new ObjectStatus(bucket, objectId, latest.get(), records, lock.get());
        });
  }

  /** Whether Redis answers a PING (read-only; for health checks); throws if it does not. */
  public void ping() {
    calls.withRetries("ping", client -> client.jedis().ping());
  }

  /**
   * What Redis records about each of {@code batch}, read only (two reads per generation, one round
   * trip per thousand).
   */
  public List<GenerationState> states(List<GenerationState.Generation> batch) {
    return calls.pipelined(
        "read states",
        batch,
        (pipeline, g) -> {
          Response<List<String>> record =
              pipeline.hmget(
                  keys.generation(g.bucket(), g.objectId(), g.generation()),
                  GenerationState.FIELDS);
          Response<String> latest =
              pipeline.hget(keys.latest(g.bucket(), g.objectId()), "generation");
          return () -> GenerationState.of(g.generation(), record.get(), latest.get());
        },
        (g, error) -> {
          throw new IllegalStateException("Redis cannot read the records of " + g + ": " + error);
        });
  }

  /** Records {@code beat} as {@code job}'s heartbeat for {@code ttl} ({@link JobHeartbeat}). */
  void beat(String job, String beat, Duration ttl) {
    calls.withRetries(
        "beat",
        client ->
            client.jedis().set(keys.job(job), beat, SetParams.setParams().px(ttl.getMillis())));
  }

  /**
   * The heartbeat of each of {@code jobs} that beats ({@link JobHeartbeat}), in one round trip. A
   * key Redis cannot read as a heartbeat counts as one: such a job is never taken for stopped.
   */
  public Map<String, String> heartbeats(List<String> jobs) {
    List<@Nullable String> beats =
        calls.pipelined(
            "read heartbeats",
            jobs,
            (pipeline, job) -> pipeline.get(keys.job(job))::get,
            (job, error) -> "unreadable: " + error);
    Map<String, String> beating = new TreeMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      String beat = beats.get(i);
      if (beat != null) {
        beating.put(jobs.get(i), beat);
      }
    }
    return beating;
  }

  @Override
  public void close() {
    calls.close();
  }

  /**
   * The keys of the claim and settle scripts: the generation's record, the object's latest
   * completed generation, its generation index, its lock.
   */
  private List<String> objectKeys(GcsNotification n) {
    return List.of(
        keys.generation(n.bucket(), n.objectId(), n.generation()),
        keys.latest(n.bucket(), n.objectId()),
        keys.generations(n.bucket(), n.objectId()),
        keys.lock(n.bucket(), n.objectId()));
  }

  /** The keys of the fenced scripts: the generation's record, the object's lock. */
  private List<String> lockKeys(Held claim) {
    List<String> all = objectKeys(claim.notification());
    return List.of(all.get(0), all.get(3));
  }

  private static List<String> lockArgs(Held claim) {
    return List.of("" + claim.notification().generation(), "" + claim.token());
  }

  private static String millis(Duration duration) {
    return Long.toString(duration.getMillis());
  }
}
