package dev.gcsrewrite.pubsub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.util.Map;
import org.junit.Test;

public class PubsubLimitsTest {

  @Test
  public void shortValuesAreReturnedAsTheyAre() {
    String value = "fits";
    assertSame(value, PubsubLimits.truncateUtf8(value, 10));
  }

  @Test
  public void truncationNeverSplitsAMultibyteCharacter() {
    // Each "é" is 2 bytes and "😀" is 4: cutting at any byte budget must keep whole characters.
    String value = "é😀é😀é😀é😀";
    for (int budget = 3; budget < PubsubLimits.utf8Length(value); budget++) {
      String cut = PubsubLimits.truncateUtf8(value, budget);
      assertEquals(true, PubsubLimits.utf8Length(cut) <= budget);
      assertEquals(true, cut.endsWith("\u2026"));
      String kept = cut.substring(0, cut.length() - 1);
      assertEquals(true, value.startsWith(kept));
      assertEquals(
          false, Character.isHighSurrogate(kept.isEmpty() ? 'a' : kept.charAt(kept.length() - 1)));
    }
  }

  @Test
  public void messageSizeCountsPayloadKeysValuesAndFraming() {
    assertEquals(
        10 + (6 + 1 + 2) + (6 + 3 + 2),
        PubsubLimits.messageBytes(10, Map.of("a", "bb", "ccc", "é")));
  }
}
