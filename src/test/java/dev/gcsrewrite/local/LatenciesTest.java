package dev.gcsrewrite.local;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.Test;

public class LatenciesTest {
  @Test
  public void percentilesAreNearestRankOverEveryValue() {
    List<Long> millis = new ArrayList<>();
    for (long i = 1; i <= 200; i++) {
      millis.add(i * 10);
    }
    Latencies latencies = Latencies.of(millis);

    assertEquals(1000, latencies.percentile(50));
    assertEquals(1900, latencies.percentile(95));
    assertEquals(1980, latencies.percentile(99));
    assertEquals(2000, latencies.percentile(100));
    assertEquals(
        "p50 1.00 s, p95 1.90 s, p99 1.98 s, max 2.00 s (200 events)", latencies.describe());
  }

  @Test
  public void onlyTheFirstOfEachCompleteEventCounts() {
    List<PubsubMessage> events =
        List.of(
            event("complete", "w/a#1:complete", "{\"latencyMillis\":1200}"),
            event("complete", "w/a#1:complete", "{\"latencyMillis\":9000}"),
            event("skipped", "w/b#1:skipped", "{\"latencyMillis\":5000}"),
            event("complete", "w/c#1:complete", "{\"latencyMillis\":800}"),
            event("complete", "w/d#1:complete", "{}"));

    Latencies latencies = Latencies.ofCompleteEvents(events);

    assertEquals(2, latencies.count());
    assertEquals(1200, latencies.percentile(100));
    assertEquals(800, latencies.percentile(50));
  }

  @Test
  public void noEventsSaySo() {
    assertEquals("no complete event carried one", Latencies.of(List.of()).describe());
    assertEquals(0, Latencies.of(List.of()).percentile(99));
  }

  private static PubsubMessage event(String type, String id, String body) {
    return new PubsubMessage(
        body.getBytes(StandardCharsets.UTF_8), Map.of("eventType", type, "eventId", id));
  }
}
