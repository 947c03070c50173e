package dev.gcsrewrite.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.Test;

/** The replay's filters, which read only a dead letter's own attributes. */
public class ReplayRequestTest {
  private static final String TOPIC = "projects/p/topics/notifications";

  @Test
  public void noFilterTakesEveryDeadLetterEvenWithoutAttributes() {
    assertTrue(request(Set.of(), null, null).matches(Map.of()));
    assertTrue(request(Set.of(), null, null).matches(Map.of("failedAt", "not a time")));
  }

  @Test
  public void typeFilterLeavesDeadLettersOfOtherTypesAndOfNoType() {
    ReplayRequest request = request(Set.of("SourceUnreadable"), null, null);
    assertTrue(request.matches(Map.of("errorType", "SourceUnreadable")));
    assertFalse(request.matches(Map.of("errorType", "MalformedJson")));
    assertFalse(request.matches(Map.of("errorStage", "ParseNotifications")));
  }

  @Test
  public void timeFilterTakesFromItsStartUpToButNotIncludingItsEnd() {
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = Instant.parse("2026-01-02T00:00:00Z");
    ReplayRequest request = request(Set.of(), start, end);
    assertTrue(request.matches(Map.of("failedAt", start.toString())));
    assertFalse(request.matches(Map.of("failedAt", end.toString())));
    assertFalse(request.matches(Map.of("failedAt", "2025-12-31T23:59:59Z")));
    assertFalse(request.matches(Map.of("failedAt", "yesterday")));
    assertFalse(request.matches(Map.of()));
  }

  @Test
  public void filtersAreDescribedInWordsForTheFirstLine() {
    assertEquals("every dead letter", request(Set.of(), null, null).filters());
    assertEquals(
        "errorType in [A, B], failed at or after 2026-01-01T00:00:00Z",
        request(Set.of("B", "A"), Instant.parse("2026-01-01T00:00:00Z"), null).filters());
  }

  private static ReplayRequest request(
      Set<String> errorTypes, @Nullable Instant failedAfter, @Nullable Instant failedBefore) {
    return new ReplayRequest(
        "projects/p/subscriptions/dead-letters",
        TOPIC,
        null,
        errorTypes,
        Set.of(),
        failedAfter,
        failedBefore,
        0,
        false,
        10);
  }
}
