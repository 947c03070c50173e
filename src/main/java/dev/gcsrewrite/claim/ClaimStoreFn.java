package dev.gcsrewrite.claim;

import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * A DoFn that works on claims in Redis: its store is opened in {@code @Setup} and closed in
 * {@code @Teardown}, the same way for every such DoFn, so a subclass only says what it does with
 * each element.
 *
 * @param <InputT> the elements
 * @param <OutputT> the main output
 */
public abstract class ClaimStoreFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
  private final WorkerClaimStore store;

  protected ClaimStoreFn(RedisSettings redis) {
    this.store = new WorkerClaimStore(redis);
  }

  /** The store {@code @Setup} opened. */
  protected final ClaimStore store() {
    return store.get();
  }

  @Setup
  public final void setup() throws IOException {
    store.open();
  }

  @Teardown
  public final void teardown() {
    store.close();
  }
}
