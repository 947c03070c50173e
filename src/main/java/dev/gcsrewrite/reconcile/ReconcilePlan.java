package dev.gcsrewrite.reconcile;

import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.GenerationState;
import dev.gcsrewrite.redis.GenerationState.State;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a reconcile run would do, found without changing anything: the scope listed, and each
 * generation's state read from Redis (one round trip per thousand), counted by state with the first
 * few of each. The listing streams; only those few are kept.
 */
public final class ReconcilePlan {
  private static final int BATCH = 1000;

  private final Map<State, Long> counts = new EnumMap<>(State.class);
  private final Map<State, List<String>> examples = new EnumMap<>(State.class);
  private final int show;

  private ReconcilePlan(int show) {
    this.show = show;
  }

  /** Lists {@code scope} with {@code lister} and reads each generation's state. */
  public static ReconcilePlan make(
      ObjectLister lister, ListingScope scope, ClaimStore states, int show) throws IOException {
    ReconcilePlan plan = new ReconcilePlan(show);
    List<ListedObject> batch = new ArrayList<>(BATCH);
    for (ListingScope part : lister.parts(scope)) {
      lister.list(
          part,
          object -> {
            batch.add(object);
            if (batch.size() == BATCH) {
              plan.add(batch, states);
            }
          });
    }
    plan.add(batch, states);
    return plan;
  }

  private void add(List<ListedObject> batch, ClaimStore states) {
    List<GenerationState> found =
        batch.isEmpty()
            ? List.of()
            : states.states(
                batch.stream()
                    .map(o -> new GenerationState.Generation(o.bucket(), o.name(), o.generation()))
                    .toList());
    for (int i = 0; i < batch.size(); i++) {
      State state = found.get(i).state();
      String detail = found.get(i).detail();
      counts.merge(state, 1L, Long::sum);
      List<String> some = examples.computeIfAbsent(state, s -> new ArrayList<>());
      if (some.size() < show) {
        some.add(batch.get(i).generationKey() + (detail.isEmpty() ? "" : "  (" + detail + ")"));
      }
    }
    batch.clear();
  }

  /** How many current generations were listed. */
  public long listed() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public long count(State state) {
    return counts.getOrDefault(state, 0L);
  }

  /** The first generations found in {@code state}, at most the number asked for. */
  public List<String> examples(State state) {
    return List.copyOf(examples.getOrDefault(state, List.of()));
  }
}
