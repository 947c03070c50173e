package dev.gcsrewrite.deadletter;

import static dev.gcsrewrite.testing.Notifications.bytes;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.pubsub.PubsubLimits;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.joda.time.Instant;
import org.junit.Test;

public class DeadLetterMessagesTest {
  private static final Instant FAILED_AT = Instant.parse("2026-11-23T10:00:00.000Z");

  @Test
  public void originalPayloadAndAttributesAreKeptAndTheReasonIsAdded() {
    TreeMap<String, String> attributes = new TreeMap<>(Map.of("bucketId", "b", "objectId", "o"));
    byte[] payload = "{oops".getBytes(StandardCharsets.UTF_8);
    PubsubMessage message =
        DeadLetterMessages.toPubsubMessage(
            new DeadLetter(
                new OriginalMessage(payload, attributes, "42"),
                "ParseNotifications",
                "MalformedJson",
                "Unexpected character",
                FAILED_AT));

    assertArrayEquals(payload, message.getPayload());
    assertEquals("b", message.getAttribute("bucketId"));
    assertEquals("o", message.getAttribute("objectId"));
    assertEquals("ParseNotifications", message.getAttribute("errorStage"));
    assertEquals("MalformedJson", message.getAttribute("errorType"));
    assertEquals("Unexpected character", message.getAttribute("errorMessage"));
    assertEquals("42", message.getAttribute("originalMessageId"));
    assertEquals("2026-11-23T10:00:00.000Z", message.getAttribute("failedAt"));
    assertNull(message.getAttribute("payloadTruncated"));
    assertEquals(7, message.getAttributeMap().size());
  }

  @Test
  public void errorMessageIsOneLineAndFitsAnAttribute() {
    String longMessage = "line one\nline two\r\n" + "é".repeat(3000);
    PubsubMessage message =
        DeadLetterMessages.toPubsubMessage(
            new DeadLetter(
                new OriginalMessage(new byte[0], new TreeMap<>(), "1"),
                "s",
                "t",
                longMessage,
                FAILED_AT));

    String published = message.getAttribute("errorMessage");
    assertEquals(-1, published.indexOf('\n'));
    assertEquals(true, published.startsWith("line one line two é"));
    assertThat(
        PubsubLimits.utf8Length(published),
        lessThanOrEqualTo(PubsubLimits.MAX_ATTRIBUTE_VALUE_BYTES));
  }

  @Test
  public void attributeOverPubsubsLimitMovesTheOriginalIntoAnEnvelope() {
    // What killed the job: a 1,100-byte objectId copied into the dead letter's attributes.
    TreeMap<String, String> attributes =
        new TreeMap<>(Map.of("objectId", "n".repeat(1100), "bucketId", "b"));
    OriginalMessage original = new OriginalMessage(bytes("{\"name\":1}"), attributes, "77");
    PubsubMessage message = deadLetter(original);

    assertFitsPubsub(message);
    assertEquals("envelope", message.getAttribute("deadLetterFormat"));
    assertEquals("UnsafeObjectName", message.getAttribute("errorType"));
    assertEquals("77", message.getAttribute("originalMessageId"));
    assertNull(message.getAttribute("objectId"));
    DeadLetterMessages.Recovered recovered = DeadLetterMessages.originalOf(message);
    assertTrue(recovered.whole());
    assertEquals(original, recovered.original());
  }

  @Test
  public void tooManyAttributesAreKeptWholeInTheEnvelope() {
    TreeMap<String, String> attributes = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      attributes.put(String.format("k%03d", i), "v" + i);
    }
    OriginalMessage original = new OriginalMessage(new byte[] {1, 2}, attributes, "1");
    PubsubMessage message = deadLetter(original);

    assertFitsPubsub(message);
    assertEquals("envelope", message.getAttribute("deadLetterFormat"));
    assertEquals(original, DeadLetterMessages.originalOf(message).original());
    assertTrue(DeadLetterMessages.originalOf(message).whole());
  }

  @Test
  public void unpairedSurrogatesSurviveTheEnvelopeExactly() {
    TreeMap<String, String> attributes =
        new TreeMap<>(Map.of("objectId", "a\uD800b", "k\uDC00", "v"));
    OriginalMessage original = new OriginalMessage(bytes("x"), attributes, "9");
    PubsubMessage message = deadLetter(original);

    assertFitsPubsub(message);
    assertEquals("envelope", message.getAttribute("deadLetterFormat"));
    assertEquals(original, DeadLetterMessages.originalOf(message).original());
  }

  @Test
  public void inlineDeadLetterGivesBackTheOriginalWithoutOurAttributes() {
    TreeMap<String, String> attributes = new TreeMap<>(Map.of("bucketId", "b", "objectId", "o"));
    OriginalMessage original = new OriginalMessage(bytes("{}"), attributes, "5");
    PubsubMessage message = deadLetter(original);

    assertNull(message.getAttribute("deadLetterFormat"));
    assertEquals(original, DeadLetterMessages.originalOf(message).original());
  }

  @Test
  public void oversizePayloadIsCutToFitAndMarked() {
    byte[] payload = new byte[10 * 1024 * 1024];
    payload[0] = 'x';
    payload[payload.length - 1] = 'y';
    OriginalMessage original = new OriginalMessage(payload, new TreeMap<>(Map.of("a", "b")), "1");
    PubsubMessage message = deadLetter(original);

    assertFitsPubsub(message);
    assertEquals("true", message.getAttribute("payloadTruncated"));
    assertEquals(Integer.toString(payload.length), message.getAttribute("originalPayloadBytes"));
    DeadLetterMessages.Recovered recovered = DeadLetterMessages.originalOf(message);
    assertFalse(recovered.whole());
    assertEquals(Map.of("a", "b"), recovered.original().attributes());
    byte[] kept = recovered.original().payload();
    assertThat(kept.length, greaterThan(5_000_000));
    assertArrayEquals(Arrays.copyOf(payload, kept.length), kept);
  }

  @Test
  public void anOriginalThatCannotFitAnyFormStillGivesAPublishableDeadLetter() {
    OriginalMessage original =
        new OriginalMessage(new byte[] {1}, new TreeMap<>(), "9".repeat(12_000_000));
    PubsubMessage message = deadLetter(original);

    assertFitsPubsub(message);
    assertEquals("true", message.getAttribute("payloadTruncated"));
    assertFalse(DeadLetterMessages.originalOf(message).whole());
  }

  @Test
  public void randomHostileOriginalsAlwaysGivePublishableDeadLettersThatKeepThemWhenTheyFit() {
    Random random = new Random(20261125L);
    for (int round = 0; round < 300; round++) {
      TreeMap<String, String> attributes = new TreeMap<>();
      int count = random.nextInt(4) == 0 ? 90 + random.nextInt(40) : random.nextInt(8);
      for (int i = 0; i < count; i++) {
        attributes.put(
            randomText(random, 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 20)),
            randomText(random, random.nextInt(random.nextInt(10) == 0 ? 3000 : 50)));
      }
      byte[] payload = new byte[random.nextInt(10) == 0 ? 9_000_000 : random.nextInt(200)];
      random.nextBytes(payload);
      OriginalMessage original = new OriginalMessage(payload, attributes, "m" + round);
      PubsubMessage message = deadLetter(original);

      assertNull(
          "round " + round, PubsubLimits.problem(message.getPayload(), message.getAttributeMap()));
      DeadLetterMessages.Recovered recovered = DeadLetterMessages.originalOf(message);
      if (recovered.whole()) {
        assertEquals("round " + round, original, recovered.original());
      } else {
        assertEquals(true, payload.length > 5_000_000 || count > 0);
      }
    }
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(6)) {
        case 0 -> text.append((char) ('a' + random.nextInt(26)));
        case 1 -> text.append((char) random.nextInt(0x20));
        case 2 -> text.append((char) (0xD800 + random.nextInt(0x800)));
        case 3 -> text.appendCodePoint(0x1F600 + random.nextInt(50));
        case 4 -> text.append('\u2028');
        default -> text.append((char) (0x80 + random.nextInt(0x700)));
      }
    }
    return text.toString();
  }

  private static PubsubMessage deadLetter(OriginalMessage original) {
    return DeadLetterMessages.toPubsubMessage(
        new DeadLetter(
            original,
            "ParseNotifications",
            "UnsafeObjectName",
            "object name is too long",
            FAILED_AT));
  }

  @Test
  public void ownAttributesOfAnEarlierFailureAreReplaced() {
    TreeMap<String, String> attributes =
        new TreeMap<>(Map.of("errorType", "Old", "errorStage", "Old", "objectId", "o"));
    PubsubMessage message =
        DeadLetterMessages.toPubsubMessage(
            new DeadLetter(
                new OriginalMessage(new byte[] {1}, attributes, "1"),
                "SelectNewObjects",
                "New",
                "m",
                FAILED_AT));
    assertEquals("New", message.getAttribute("errorType"));
    assertEquals("SelectNewObjects", message.getAttribute("errorStage"));
    assertEquals("o", message.getAttribute("objectId"));
  }

  private static void assertFitsPubsub(PubsubMessage message) {
    assertNull(PubsubLimits.problem(message.getPayload(), message.getAttributeMap()));
    Map<String, String> attributes = message.getAttributeMap();
    assertThat(attributes.size(), lessThanOrEqualTo(PubsubLimits.MAX_ATTRIBUTES));
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      assertThat(
          PubsubLimits.utf8Length(attribute.getValue()),
          lessThanOrEqualTo(PubsubLimits.MAX_ATTRIBUTE_VALUE_BYTES));
    }
    assertThat(
        PubsubLimits.messageBytes(message.getPayload().length, attributes),
        lessThanOrEqualTo((long) PubsubLimits.MAX_MESSAGE_BYTES));
  }
}
