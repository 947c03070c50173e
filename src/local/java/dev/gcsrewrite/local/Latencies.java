package dev.gcsrewrite.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * The latency percentiles of a local run, from its complete events' {@code latencyMillis}: Beam's
 * distribution metric keeps count, min, max and mean only, and an operator asks for p50 and p99.
 * Nearest-rank percentiles of every event, none sampled away. The throughput benchmark's latency
 * modes use it too.
 */
public final class Latencies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Long> sorted;

  private Latencies(List<Long> sorted) {
    this.sorted = sorted;
  }

  /** The latencies of {@code events}' complete events, one per distinct event (the first seen). */
  public static Latencies ofCompleteEvents(List<PubsubMessage> events) {
    List<Long> millis = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (PubsubMessage event : events) {
      if (!"complete".equals(event.getAttribute("eventType"))
          || !seen.add(event.getAttribute("eventId"))) {
        continue;
      }
      JsonNode latency = body(event).get("latencyMillis");
      if (latency != null && latency.canConvertToLong()) {
        millis.add(latency.asLong());
      }
    }
    return of(millis);
  }

  public static Latencies of(List<Long> millis) {
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return new Latencies(sorted);
  }

  public int count() {
    return sorted.size();
  }

  /** The nearest-rank {@code percent}th percentile; 0 when there is none. */
  public long percentile(double percent) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  /** {@code p50 1.15 s, p95 1.28 s, p99 1.31 s, max 1.40 s (99 events)}. */
  public String describe() {
    if (sorted.isEmpty()) {
      return "no complete event carried one";
    }
    return String.format(
        Locale.ROOT,
        "p50 %s, p95 %s, p99 %s, max %s (%d events)",
        seconds(percentile(50)),
        seconds(percentile(95)),
        seconds(percentile(99)),
        seconds(percentile(100)),
        sorted.size());
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }

  private static JsonNode body(PubsubMessage event) {
    try {
      return JSON.readTree(event.getPayload());
    } catch (IOException e) {
      throw new UncheckedIOException("a complete event that is not JSON", e);
    }
  }
}
