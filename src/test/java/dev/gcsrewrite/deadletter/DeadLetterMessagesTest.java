package dev.gcsrewrite.deadletter;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.gcsrewrite.pubsub.PubsubLimits;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
  public void oversizePayloadIsCutToFitAndMarked() {
    byte[] payload = new byte[10 * 1024 * 1024];
    payload[0] = 'x';
    PubsubMessage message =
        DeadLetterMessages.toPubsubMessage(
            new DeadLetter(
                new OriginalMessage(payload, new TreeMap<>(Map.of("a", "b")), "1"),
                "ParseNotifications",
                "OversizeMessage",
                "too big",
                FAILED_AT));

    assertEquals("true", message.getAttribute("payloadTruncated"));
    assertEquals(Integer.toString(payload.length), message.getAttribute("originalPayloadBytes"));
    assertEquals('x', message.getPayload()[0]);
    assertFitsPubsub(message);
  }

  @Test
  public void attributesBeyondPubsubsLimitAreDroppedAndCounted() {
    TreeMap<String, String> attributes = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      attributes.put(String.format("k%03d", i), "v");
    }
    PubsubMessage message =
        DeadLetterMessages.toPubsubMessage(
            new DeadLetter(
                new OriginalMessage(new byte[] {1}, attributes, "1"), "s", "t", "m", FAILED_AT));

    assertFitsPubsub(message);
    assertEquals("v", message.getAttribute("k000"));
    assertEquals(
        Integer.toString(100 - (PubsubLimits.MAX_ATTRIBUTES - 5 - 3)),
        message.getAttribute("droppedAttributes"));
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
