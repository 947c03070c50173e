package dev.gcsrewrite.claim;

import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A DoFn that works on claims in Redis: it travels with its Redis settings, opens the store on the
 * worker's shared connection in {@code @Setup} and closes it in {@code @Teardown}, so a subclass
 * only says what it does with each element.
 *
 * @param <InputT> the elements
 * @param <OutputT> the main output
 */
public abstract class ClaimStoreFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
  private final RedisSettings redis;
  private transient @Nullable ClaimStore store;

  protected ClaimStoreFn(RedisSettings redis) {
    this.redis = redis;
  }

  /** The store {@code @Setup} opened. */
  protected final ClaimStore store() {
    return Objects.requireNonNull(store, "the claim store is used before @Setup opened it");
  }

  @Setup
  public final void setup() throws IOException {
    store = ClaimStore.forPipeline(redis);
  }

  @Teardown
  public final void teardown() {
    ClaimStore current = store;
    store = null;
    if (current != null) {
      current.close();
    }
  }
}
