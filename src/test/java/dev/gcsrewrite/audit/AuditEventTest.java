package dev.gcsrewrite.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.joda.time.Instant;
import org.junit.Test;

public class AuditEventTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  public void completeEventCarriesTheContractAttributesAndBody() throws Exception {
    AuditEvent event =
        new AuditEvent(
            AuditEvent.COMPLETE,
            notification("work001"),
            "job-1",
            "gs://work/work001",
            "gs://processed/work001.processed",
            2051L,
            null,
            Instant.parse("2026-11-23T10:00:00Z"));
    PubsubMessage message = event.toPubsubMessage();

    assertEquals("complete", message.getAttribute("eventType"));
    assertEquals("work/work001#17:complete", message.getAttribute("eventId"));
    assertEquals("work", message.getAttribute("bucketId"));
    assertEquals("work001", message.getAttribute("objectId"));
    assertEquals("17", message.getAttribute("objectGeneration"));
    assertEquals(5, message.getAttributeMap().size());

    JsonNode body = JSON.readTree(message.getPayload());
    assertEquals("complete", body.get("eventType").asText());
    assertEquals("work/work001#17:complete", body.get("eventId").asText());
    assertEquals("17", body.get("objectGeneration").asText());
    assertEquals("gs://work/work001", body.get("sourceUri").asText());
    assertEquals("gs://processed/work001.processed", body.get("outputUri").asText());
    assertEquals("m1", body.get("messageId").asText());
    assertEquals("job-1", body.get("jobName").asText());
    assertEquals("2026-11-23T10:00:00.000Z", body.get("eventTime").asText());
    assertEquals("2026-11-20T09:15:02Z", body.get("notificationEventTime").asText());
    assertEquals(2048, body.get("sourceBytes").asLong());
    assertEquals(2051, body.get("outputBytes").asLong());
    // From the notification's publish time, 2026-11-20T09:15:03Z, to the event.
    assertEquals((3 * 86_400 + 44 * 60 + 57) * 1000L, body.get("latencyMillis").asLong());
    assertFalse(body.has("reason"));
  }

  @Test
  public void onlyCompleteEventsCarryALatencyAndItIsNeverNegative() throws Exception {
    Instant beforeThePublish = Instant.parse("2026-11-20T09:15:00Z");
    AuditEvent complete =
        new AuditEvent(
            AuditEvent.COMPLETE,
            notification("w2"),
            "job",
            "gs://work/w2",
            "gs://p/w2.processed",
            1L,
            null,
            beforeThePublish);
    AuditEvent processing =
        new AuditEvent(
            AuditEvent.PROCESSING,
            notification("w2"),
            "job",
            "gs://work/w2",
            null,
            null,
            null,
            Instant.parse("2026-11-23T10:00:00Z"));

    assertEquals(0, complete.latencyMillis());
    assertEquals(
        0, JSON.readTree(complete.toPubsubMessage().getPayload()).get("latencyMillis").asLong());
    assertFalse(JSON.readTree(processing.toPubsubMessage().getPayload()).has("latencyMillis"));
  }

  @Test
  public void eventIdIsTheSameForEveryRepeatOfAnEvent() {
    AuditEvent first = processing(notification("a"));
    AuditEvent again = processing(notification("a"));
    assertEquals(
        first.toPubsubMessage().getAttribute("eventId"),
        again.toPubsubMessage().getAttribute("eventId"));
  }

  @Test
  public void eventIdTooLongForAnAttributeIsHashedThereButWholeInTheBody() throws Exception {
    String longName = "x".repeat(1020);
    PubsubMessage message = processing(notification(longName)).toPubsubMessage();

    String attribute = message.getAttribute("eventId");
    assertThat(attribute, startsWith("sha256:"));
    assertEquals("sha256:".length() + 64, attribute.length());
    assertEquals(
        "work/" + longName + "#17:processing",
        JSON.readTree(message.getPayload()).get("eventId").asText());
    assertEquals(longName, message.getAttribute("objectId"));
  }

  private static AuditEvent processing(GcsNotification notification) {
    return new AuditEvent(
        AuditEvent.PROCESSING, notification, "job", "gs://work/x", null, null, null, Instant.now());
  }

  private static GcsNotification notification(String objectId) {
    return new GcsNotification(
        "work",
        objectId,
        17,
        GcsNotification.OBJECT_FINALIZE,
        GcsNotification.JSON_API_V1,
        "2026-11-20T09:15:02Z",
        null,
        1L,
        2048L,
        "text/plain",
        null,
        null,
        "m1",
        Instant.parse("2026-11-20T09:15:03Z"),
        new OriginalMessage(new byte[0], new TreeMap<>(), "m1"));
  }
}
