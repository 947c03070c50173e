package dev.gcsrewrite.claim;

import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A DoFn that asks Redis about a whole bundle in one round trip when it finishes, then routes each
 * element with its own timestamp and window.
 *
 * <p>Holding elements until then is safe: a runner commits a bundle's outputs only once its
 * {@code @FinishBundle} returns, and retries the whole bundle if it fails.
 *
 * @param <InputT> the elements
 * @param <AnswerT> what Redis answers about an element
 * @param <OutputT> the main output
 */
abstract class BatchedRedisFn<InputT, AnswerT, OutputT> extends ClaimStoreFn<InputT, OutputT> {
  private transient List<Buffered<InputT>> buffer = new ArrayList<>();

  BatchedRedisFn(RedisSettings redis) {
    super(redis);
  }

  /** One that beats for {@code job} while set up. */
  BatchedRedisFn(RedisSettings redis, String job) {
    super(redis, job);
  }

  /** Asks Redis about {@code batch}; returns an answer per element, aligned with it. */
  abstract List<AnswerT> ask(ClaimStore store, List<InputT> batch);

  /** Where {@code element} goes, given its answer (null: nowhere). */
  abstract @Nullable Routed<?> route(InputT element, AnswerT answer);

  /** Where {@code element} goes when asking about it failed with {@code failure}: a dead letter. */
  abstract Routed<?> failed(InputT element, RuntimeException failure);

  @StartBundle
  public void startBundle() {
    buffer = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element InputT element, @Timestamp Instant timestamp, BoundedWindow window) {
    buffer.add(new Buffered<>(element, timestamp, window));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    if (buffer.isEmpty()) {
      return;
    }
    PipelineMetrics.REDIS_BATCHES.inc();
    List<@Nullable Routed<?>> routes =
        decideOrIsolate(store(), buffer.stream().map(Buffered::element).toList());
    for (int i = 0; i < routes.size(); i++) {
      Routed<?> route = routes.get(i);
      if (route != null) {
        emit(context, route, buffer.get(i));
      }
    }
    buffer = new ArrayList<>();
  }

  /**
   * Routes the batch; should that throw (a defect met by one element, since Redis's own failures
   * are retried inside the store), routes the elements one at a time, so that only the element that
   * fails becomes a dead letter and the bundle goes on.
   */
  private List<@Nullable Routed<?>> decideOrIsolate(ClaimStore store, List<InputT> batch) {
    try {
      return decide(store, batch);
    } catch (RuntimeException batchFailure) {
      if (Thread.currentThread().isInterrupted()) {
        throw batchFailure;
      }
      List<@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
      for (InputT element : batch) {
        try {
          routes.add(decide(store, List.of(element)).get(0));
        } catch (RuntimeException failure) {
          if (Thread.currentThread().isInterrupted()) {
            throw failure;
          }
          routes.add(failed(element, failure));
        }
      }
      return routes;
    }
  }

  private List<@Nullable Routed<?>> decide(ClaimStore store, List<InputT> batch) {
    List<AnswerT> answers = ask(store, batch);
    List<@Nullable Routed<?>> routes = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      routes.add(route(batch.get(i), answers.get(i)));
    }
    return routes;
  }

  @SuppressWarnings("unchecked")
  private <T> void emit(FinishBundleContext context, Routed<T> route, Buffered<InputT> item) {
    if (route.tag() == null) {
      context.output((OutputT) route.value(), item.timestamp(), item.window());
    } else {
      context.output(route.tag(), route.value(), item.timestamp(), item.window());
    }
    for (Routed<?> also : route.also()) {
      emit(context, also, item);
    }
  }

  /**
   * Where a decided element goes: the main output (tag null) or a tagged one, and what else it
   * gives rise to on other outputs.
   */
  record Routed<T>(@Nullable TupleTag<T> tag, T value, List<Routed<?>> also) {
    static <T> Routed<T> main(T value) {
      return new Routed<>(null, value, List.of());
    }

    static <T> Routed<T> to(TupleTag<T> tag, T value) {
      return new Routed<>(tag, value, List.of());
    }

    /** This route and {@code other} too. */
    Routed<T> and(Routed<?> other) {
      List<Routed<?>> more = new ArrayList<>(also);
      more.add(other);
      return new Routed<>(tag, value, List.copyOf(more));
    }
  }

  private record Buffered<T>(T element, Instant timestamp, BoundedWindow window) {}
}
