package dev.gcsrewrite.notification;

import static dev.gcsrewrite.testing.Notifications.sample;
import static dev.gcsrewrite.testing.Notifications.samplePublishTime;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import dev.gcsrewrite.deadletter.OriginalMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.joda.time.Instant;
import org.junit.Test;

/** Every sample in the shared samples folder parses as its README says. */
public class NotificationParserTest {

  private static GcsNotification parseSample(String name) throws NotificationException {
    return NotificationParser.parse(OriginalMessage.of(sample(name)), samplePublishTime(name));
  }

  @Test
  public void finalizeSampleParsesEveryField() throws Exception {
    GcsNotification n = parseSample("finalize.json");
    assertEquals("workbucket01_demo-project", n.bucket());
    assertEquals("work001", n.objectId());
    assertEquals(1763630102412883L, n.generation());
    assertEquals("OBJECT_FINALIZE", n.eventType());
    assertEquals("JSON_API_V1", n.payloadFormat());
    assertEquals("2026-11-20T09:15:02.412883Z", n.eventTime());
    assertNull(n.overwroteGeneration());
    assertEquals(Long.valueOf(1), n.metageneration());
    assertEquals(Long.valueOf(2048), n.size());
    assertEquals("text/plain", n.contentType());
    assertEquals("KgZEUMK78xQA6y3uiqfnZw==", n.md5Hash());
    assertEquals("iMecoA==", n.crc32c());
    assertEquals("11831900815790074", n.messageId());
    assertEquals(Instant.parse("2026-11-20T09:15:02.871Z"), n.publishTime());
    assertEquals("workbucket01_demo-project/work001#1763630102412883", n.generationKey());
    assertEquals(true, n.isFinalize());
  }

  @Test
  public void originalMessageTravelsUntouched() throws Exception {
    PubsubMessage message = sample("finalize.json");
    GcsNotification n =
        NotificationParser.parse(OriginalMessage.of(message), samplePublishTime("finalize.json"));
    assertSame(message.getPayload(), n.original().payload());
    assertEquals(message.getAttributeMap(), n.original().attributes());
    assertEquals(message.getMessageId(), n.original().messageId());
  }

  @Test
  public void duplicateWithNewMessageIdHasTheSameGenerationKey() throws Exception {
    GcsNotification first = parseSample("finalize.json");
    GcsNotification duplicate = parseSample("finalize-duplicate-new-message-id.json");
    assertEquals(first.generationKey(), duplicate.generationKey());
    assertThat(duplicate.messageId(), is(not(first.messageId())));
  }

  @Test
  public void overwriteCarriesTheOverwrittenGeneration() throws Exception {
    GcsNotification n = parseSample("finalize-overwrite.json");
    assertEquals(1763630199000001L, n.generation());
    assertEquals(Long.valueOf(1763630102412883L), n.overwroteGeneration());
    assertEquals(Long.valueOf(2051), n.size());
    assertEquals(parseSample("finalize.json").objectKey(), n.objectKey());
  }

  @Test
  public void payloadNoneParsesFromAttributesAlone() throws Exception {
    GcsNotification n = parseSample("finalize-payload-none.json");
    assertEquals("reports/2026/q4 summary é.txt", n.objectId());
    assertEquals(1763630200000002L, n.generation());
    assertEquals("NONE", n.payloadFormat());
    assertThat(n.size(), is(nullValue()));
    assertThat(n.md5Hash(), is(nullValue()));
    assertEquals(true, n.isFinalize());
  }

  @Test
  public void folderPlaceholderParsesWithItsTrailingSlash() throws Exception {
    GcsNotification n = parseSample("finalize-folder-placeholder.json");
    assertEquals("reports/2026/", n.objectId());
    assertEquals(Long.valueOf(0), n.size());
  }

  @Test
  public void deleteArchiveAndMetadataUpdateParseWithTheirEventTypes() throws Exception {
    assertEquals("OBJECT_DELETE", parseSample("delete-after-overwrite.json").eventType());
    assertEquals("OBJECT_ARCHIVE", parseSample("archive.json").eventType());
    assertEquals("OBJECT_METADATA_UPDATE", parseSample("metadata-update.json").eventType());
    assertEquals(false, parseSample("archive.json").isFinalize());
  }
}
