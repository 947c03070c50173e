package dev.gcsrewrite.pubsub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
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

  @Test
  public void messagesWithinEveryLimitHaveNoProblem() {
    assertNull(PubsubLimits.problem(new byte[] {1}, Map.of("k".repeat(256), "v".repeat(1024))));
    assertNull(PubsubLimits.problem(new byte[0], Map.of("only", "attribute")));
  }

  @Test
  public void eachLimitIsNamedWhenBroken() {
    assertThat(PubsubLimits.problem(new byte[0], Map.of()), containsString("payload or"));
    assertThat(
        PubsubLimits.problem(new byte[] {1}, Map.of("objectId", "n".repeat(1025))),
        containsString("'objectId' is 1025 bytes"));
    assertThat(
        PubsubLimits.problem(new byte[] {1}, Map.of("k".repeat(257), "v")),
        containsString("is 257 bytes; the limit is 256"));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 101; i++) {
      many.put("k" + i, "v");
    }
    assertThat(PubsubLimits.problem(new byte[] {1}, many), containsString("101 attributes"));
    assertThat(
        PubsubLimits.problem(new byte[] {1}, Map.of("k", "a\uD800")),
        containsString("unpaired surrogate"));
    assertThat(
        PubsubLimits.problem(new byte[PubsubLimits.MAX_MESSAGE_BYTES], Map.of("k", "v")),
        containsString("the limit is " + PubsubLimits.MAX_MESSAGE_BYTES));
    assertThat(PubsubLimits.problem(new byte[] {1}, Map.of("", "v")), containsString("empty key"));
  }

  @Test
  public void attributeValuesAreMadeValidAndShort() {
    String value = PubsubLimits.attributeValue("x\uDC00" + "é".repeat(600));
    assertTrue(PubsubLimits.isValidUtf16(value));
    assertTrue(value.startsWith("x\uFFFD"));
    assertTrue(PubsubLimits.utf8Length(value) <= PubsubLimits.MAX_ATTRIBUTE_VALUE_BYTES);
    assertSame("kept", PubsubLimits.validUtf16("kept"));
    assertEquals("\uD83D\uDE00", PubsubLimits.validUtf16("\uD83D\uDE00"));
  }

  @Test
  public void requestsHoldAtMostAThousandMessages() {
    List<PubsubMessage> messages = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      messages.add(new PubsubMessage(new byte[] {1}, Map.of()));
    }
    List<List<PubsubMessage>> requests = PubsubLimits.requests(messages, m -> m);
    assertEquals(List.of(1000, 1000, 500), requests.stream().map(List::size).toList());
  }

  @Test
  public void requestsStayWithinTheMessageSizeLimitAndKeepOrder() {
    int third = PubsubLimits.MAX_MESSAGE_BYTES / 3;
    List<Integer> sizes = List.of(third, third, third, 1, PubsubLimits.MAX_MESSAGE_BYTES + 1, 1);
    List<List<Integer>> requests =
        PubsubLimits.requests(sizes, size -> new PubsubMessage(new byte[size], null));
    // Three thirds fit; the fourth message starts a new request, and one over the limit goes alone.
    assertEquals(
        List.of(
            List.of(third, third, third),
            List.of(1),
            List.of(PubsubLimits.MAX_MESSAGE_BYTES + 1),
            List.of(1)),
        requests);
    assertEquals(List.of(), PubsubLimits.requests(List.<Integer>of(), size -> null));
  }
}
