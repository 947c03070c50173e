package dev.gcsrewrite.claim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Reads, without changing anything, what Redis records about many generations at once: for the
 * reconcile command's dry run, which must say what a run would do before it claims anything.
 *
 * <p>One pipelined round trip per {@value ClaimStore#MAX_PER_ROUND_TRIP} generations (two reads
 * each: the generation's record and the object's latest completed generation). It tries once, as
 * command-line tools do, and reports an unreachable Redis as {@link RedisUnavailableException}.
 */
public final class GenerationStates implements AutoCloseable {
  /** What a generation's records say, from the point of view of a run that would process it. */
  public enum State {
    /** Nothing recorded: a run would claim and process it. */
    UNCLAIMED,
    /** Claimed and not settled (a lease, live or ended): a run would wait or take it over. */
    IN_FLIGHT,
    /** Settled with an output. */
    COMPLETED,
    /** Settled without one (gone, changed, superseded), or a newer generation is completed. */
    SKIPPED
  }

  /**
   * One generation's state.
   *
   * @param state the state
   * @param detail the owner (in flight), the output (completed) or the reason (skipped); empty when
   *     unclaimed
   * @param announced whether its settled record says its audit event was published
   */
  public record Found(State state, String detail, boolean announced) {}

  /** A generation to look up. */
  public record Generation(String bucket, String objectId, long generation) {}

  private final RedisClient client;
  private final ClaimKeys keys;

  private GenerationStates(RedisClient client, ClaimKeys keys) {
    this.client = client;
    this.keys = keys;
  }

  /** Connects to the Redis {@code settings} name. */
  public static GenerationStates connect(RedisSettings settings) throws IOException {
    return new GenerationStates(RedisClient.connect(settings), new ClaimKeys(settings.keyPrefix()));
  }

  /** The state of each of {@code batch}, aligned with it. */
  public List<Found> read(List<Generation> batch) {
    List<Found> found = new ArrayList<>(batch.size());
    for (int from = 0; from < batch.size(); from += ClaimStore.MAX_PER_ROUND_TRIP) {
      List<Generation> chunk =
          batch.subList(from, Math.min(batch.size(), from + ClaimStore.MAX_PER_ROUND_TRIP));
      List<Response<List<String>>> records = new ArrayList<>(chunk.size());
      List<Response<String>> latest = new ArrayList<>(chunk.size());
      try (PipelineBase pipeline = client.pipeline()) {
        for (Generation g : chunk) {
          records.add(
              pipeline.hmget(
                  keys.generation(g.bucket(), g.objectId(), g.generation()),
                  "state",
                  "owner",
                  "outputUri",
                  "reason",
                  "announced"));
          latest.add(pipeline.hget(keys.latest(g.bucket(), g.objectId()), "generation"));
        }
        pipeline.sync();
      } catch (JedisException e) {
        throw new RedisUnavailableException("read states", e);
      }
      for (int i = 0; i < chunk.size(); i++) {
        found.add(classify(chunk.get(i).generation(), records.get(i).get(), latest.get(i).get()));
      }
    }
    return found;
  }

  static Found classify(long generation, List<String> record, @Nullable String latest) {
    String state = record.get(0);
    boolean announced = record.size() > 4 && record.get(4) != null && !record.get(4).isEmpty();
    if ("COMPLETED".equals(state)) {
      return new Found(State.COMPLETED, orEmpty(record.get(2)), announced);
    }
    if ("SKIPPED".equals(state)) {
      return new Found(State.SKIPPED, orEmpty(record.get(3)), announced);
    }
    if ("INPROGRESS".equals(state)) {
      return new Found(State.IN_FLIGHT, orEmpty(record.get(1)), false);
    }
    if (latest != null && latest.matches("[0-9]{1,19}") && Long.parseLong(latest) > generation) {
      return new Found(State.SKIPPED, "superseded by generation " + latest, false);
    }
    return new Found(State.UNCLAIMED, "", false);
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }

  @Override
  public void close() {
    client.close();
  }
}
