package dev.gcsrewrite.claim;

import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.JobHeartbeat;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A DoFn that works on claims in Redis: it travels with its Redis settings, opens the store on the
 * worker's shared connection in {@code @Setup} and closes it in {@code @Teardown}, so a subclass
 * only says what it does with each element. The steps that claim and settle also hold the job's
 * {@link JobHeartbeat} meanwhile: a worker that may hold claims tells Redis that its job runs.
 *
 * @param <InputT> the elements
 * @param <OutputT> the main output
 */
public abstract class ClaimStoreFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
  private final RedisSettings redis;
  private final @Nullable String beatingJob;
  private transient @Nullable ClaimStore store;
  private transient @Nullable JobHeartbeat heartbeat;

  protected ClaimStoreFn(RedisSettings redis) {
    this(redis, null);
  }

  /** A DoFn whose workers beat for {@code job} (null: none) while it is set up. */
  protected ClaimStoreFn(RedisSettings redis, @Nullable String job) {
    this.redis = redis;
    this.beatingJob = job;
  }

  /** The store {@code @Setup} opened. */
  protected final ClaimStore store() {
    return Objects.requireNonNull(store, "the claim store is used before @Setup opened it");
  }

  @Setup
  public final void setup() throws IOException {
    store = ClaimStore.forPipeline(redis);
    if (beatingJob != null) {
      heartbeat = JobHeartbeat.hold(redis, beatingJob);
    }
  }

  @Teardown
  public final void teardown() {
    ClaimStore current = store;
    JobHeartbeat beating = heartbeat;
    store = null;
    heartbeat = null;
    if (current != null) {
      current.close();
    }
    if (beating != null) {
      beating.close();
    }
  }
}
