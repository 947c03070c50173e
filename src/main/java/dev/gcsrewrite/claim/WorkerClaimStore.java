package dev.gcsrewrite.claim;

import java.io.IOException;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The claim store a DoFn opens in {@code @Setup} and closes in {@code @Teardown}: it travels with
 * the DoFn as its Redis settings, and the connection it opens is the worker's shared one.
 *
 * <p>It exists so that every DoFn talking to Redis holds its store the same way, and none can use
 * it before setup without a clear error.
 */
public final class WorkerClaimStore implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RedisSettings redis;
  private transient @Nullable ClaimStore store;

  public WorkerClaimStore(RedisSettings redis) {
    this.redis = redis;
  }

  /** Opens the store; for {@code @Setup}. */
  public void open() throws IOException {
    store = ClaimStore.forPipeline(redis);
  }

  /** The open store. */
  public ClaimStore get() {
    ClaimStore current = store;
    if (current == null) {
      throw new IllegalStateException("the claim store is used before @Setup opened it");
    }
    return current;
  }

  /** Closes the store; for {@code @Teardown}. */
  public void close() {
    ClaimStore current = store;
    store = null;
    if (current != null) {
      current.close();
    }
  }
}
