package dev.gcsrewrite.local.notifier;

import static dev.gcsrewrite.testing.Notifications.crc32c;
import static dev.gcsrewrite.testing.Notifications.md5;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.testing.Notifications;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The messages built for local files are Cloud Storage's, field for field, and parse. */
public class StorageNotificationsTest {
  private static final String BUCKET = "workbucket01_demo-project";
  private static final String NESTED_NAME = "reports/2026/q4 summary é.txt";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BODY_KEY = Pattern.compile("^  \"([^\"]+)\": ", Pattern.MULTILINE);

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void finalizeOfANestedNonAsciiNameDescribesTheFileAndParses() throws Exception {
    byte[] content = "AWS in Q4, résumé\n".repeat(40).getBytes(StandardCharsets.UTF_8);
    Path file = write(NESTED_NAME, content);

    StoredObject object = StoredObject.read(file, BUCKET, NESTED_NAME, 1763630102412883L);
    PubsubMessage message = StorageNotifications.finalized(object, null);

    assertNull("the Pub/Sub service assigns message IDs", message.getMessageId());
    assertEquals("OBJECT_FINALIZE", message.getAttribute("eventType"));
    assertEquals("JSON_API_V1", message.getAttribute("payloadFormat"));
    assertEquals(BUCKET, message.getAttribute("bucketId"));
    assertEquals(NESTED_NAME, message.getAttribute("objectId"));
    assertEquals("1763630102412883", message.getAttribute("objectGeneration"));
    assertEquals(
        "projects/_/buckets/" + BUCKET + "/notificationConfigs/local",
        message.getAttribute("notificationConfig"));
    assertNull(message.getAttribute("overwroteGeneration"));

    JsonNode body = JSON.readTree(message.getPayload());
    assertEquals(NESTED_NAME, body.get("name").asText());
    assertEquals(BUCKET, body.get("bucket").asText());
    assertEquals(BUCKET + "/" + NESTED_NAME + "/1763630102412883", body.get("id").asText());
    assertEquals("1763630102412883", body.get("generation").asText());
    assertEquals(Integer.toString(content.length), body.get("size").asText());
    assertTrue("size is a string, as in the JSON API", body.get("size").isTextual());
    assertEquals(md5(content), body.get("md5Hash").asText());
    assertEquals(crc32c(content), body.get("crc32c").asText());
    assertEquals("text/plain", body.get("contentType").asText());
    assertEquals(
        "https://www.googleapis.com/storage/v1/b/"
            + BUCKET
            + "/o/reports%2F2026%2Fq4%20summary%20%C3%A9.txt",
        body.get("selfLink").asText());
    assertEquals(
        "https://storage.googleapis.com/download/storage/v1/b/"
            + BUCKET
            + "/o/reports%2F2026%2Fq4%20summary%20%C3%A9.txt"
            + "?generation=1763630102412883&alt=media",
        body.get("mediaLink").asText());
    assertFalse(body.has("timeDeleted"));

    GcsNotification parsed = parse(message);
    assertEquals(BUCKET, parsed.bucket());
    assertEquals(NESTED_NAME, parsed.objectId());
    assertEquals(1763630102412883L, parsed.generation());
    assertTrue(parsed.isFinalize());
    assertEquals(Long.valueOf(content.length), parsed.size());
    assertEquals(md5(content), parsed.md5Hash());
    assertEquals(crc32c(content), parsed.crc32c());
    assertNull(parsed.overwroteGeneration());
  }

  @Test
  public void finalizeHasTheSampleAttributesAndBodyFieldsInTheSampleOrder() throws Exception {
    StoredObject object = object("work001", 1763630102412883L);
    PubsubMessage message = StorageNotifications.finalized(object, null);
    PubsubMessage sample = Notifications.sample("finalize.json");

    assertEquals(
        new TreeSet<>(sample.getAttributeMap().keySet()),
        new TreeSet<>(message.getAttributeMap().keySet()));
    assertEquals(
        List.of(
            "kind",
            "id",
            "selfLink",
            "name",
            "bucket",
            "generation",
            "metageneration",
            "contentType",
            "timeCreated",
            "updated",
            "storageClass",
            "timeStorageClassUpdated",
            "size",
            "md5Hash",
            "mediaLink",
            "crc32c",
            "etag"),
        bodyKeys(sample));
    assertEquals(bodyKeys(sample), bodyKeys(message));
    assertTrue(text(message).startsWith("{\n  \"kind\": \"storage#object\",\n"));
    assertTrue(text(message).endsWith("\"\n}"));
  }

  @Test
  public void overwritingFinalizeCarriesTheGenerationItReplaced() throws Exception {
    StoredObject object = object("work001", 1763630199000001L);
    PubsubMessage message = StorageNotifications.finalized(object, 1763630102412883L);

    assertEquals("1763630102412883", message.getAttribute("overwroteGeneration"));
    assertEquals(
        new TreeSet<>(Notifications.sample("finalize-overwrite.json").getAttributeMap().keySet()),
        new TreeSet<>(message.getAttributeMap().keySet()));
    GcsNotification parsed = parse(message);
    assertEquals(1763630199000001L, parsed.generation());
    assertEquals(Long.valueOf(1763630102412883L), parsed.overwroteGeneration());
  }

  @Test
  public void deleteAfterOverwriteMatchesTheSampleAndParses() throws Exception {
    StoredObject old = object("work001", 1763630102412883L);
    Instant overwrittenAt = Instant.parse("2026-11-20T09:16:39.000001Z");
    PubsubMessage message = StorageNotifications.deleted(old, overwrittenAt, 1763630199000001L);
    PubsubMessage sample = Notifications.sample("delete-after-overwrite.json");

    assertEquals(
        new TreeSet<>(sample.getAttributeMap().keySet()),
        new TreeSet<>(message.getAttributeMap().keySet()));
    assertEquals(bodyKeys(sample), bodyKeys(message));
    assertEquals("OBJECT_DELETE", message.getAttribute("eventType"));
    assertEquals("1763630102412883", message.getAttribute("objectGeneration"));
    assertEquals("1763630199000001", message.getAttribute("overwrittenByGeneration"));
    assertEquals("2026-11-20T09:16:39.000001Z", message.getAttribute("eventTime"));
    JsonNode body = JSON.readTree(message.getPayload());
    assertEquals("2026-11-20T09:16:39.000Z", body.get("timeDeleted").asText());
    assertEquals(old.md5Hash(), body.get("md5Hash").asText());

    GcsNotification parsed = parse(message);
    assertEquals(1763630102412883L, parsed.generation());
    assertFalse(parsed.isFinalize());
  }

  @Test
  public void deleteOfARemovedObjectNamesNoReplacement() throws Exception {
    PubsubMessage message =
        StorageNotifications.deleted(
            object("work002", 1763630102500000L), Instant.parse("2026-11-20T09:20:00Z"), null);

    assertNull(message.getAttribute("overwrittenByGeneration"));
    assertEquals("2026-11-20T09:20:00.000000Z", message.getAttribute("eventTime"));
    assertEquals(
        "2026-11-20T09:20:00.000Z",
        JSON.readTree(message.getPayload()).get("timeDeleted").asText());
    assertEquals("OBJECT_DELETE", parse(message).eventType());
  }

  @Test
  public void timesComeFromTheGenerationWithMicrosecondsAndMilliseconds() throws Exception {
    PubsubMessage message =
        StorageNotifications.finalized(object("work001", 1763630102412883L), null);

    assertEquals("2025-11-20T09:15:02.412883Z", message.getAttribute("eventTime"));
    JsonNode body = JSON.readTree(message.getPayload());
    assertEquals("2025-11-20T09:15:02.412Z", body.get("timeCreated").asText());
    assertEquals("2025-11-20T09:15:02.412Z", body.get("updated").asText());
    assertEquals("2025-11-20T09:15:02.412Z", body.get("timeStorageClassUpdated").asText());
  }

  @Test
  public void etagIsEncodedLikeTheSamples() {
    // The samples' etag decodes to generation 1729656541197854, metageneration 1.
    assertEquals("CJ7s4t3Qo4kDEAE=", StorageNotifications.etag(1729656541197854L, 1));
  }

  @Test
  public void namesAreEncodedAsOnePathSegmentLikeTheFolderPlaceholderSample() throws Exception {
    JsonNode sample =
        JSON.readTree(Notifications.sample("finalize-folder-placeholder.json").getPayload());

    assertEquals(
        sample.get("selfLink").asText(),
        "https://www.googleapis.com/storage/v1/b/"
            + BUCKET
            + "/o/"
            + StorageNotifications.percentEncode("reports/2026/"));
    assertEquals("a%2Bb%3F%23%25~x.y_z-1", StorageNotifications.percentEncode("a+b?#%~x.y_z-1"));
  }

  @Test
  public void contentTypeIsGuessedFromTheExtensionWithTextForNoExtension() {
    assertEquals("text/plain", StorageNotifications.contentType("work001"));
    assertEquals("text/plain", StorageNotifications.contentType("notes.d/work001"));
    assertEquals("text/plain", StorageNotifications.contentType("config/.env"));
    assertEquals("text/plain", StorageNotifications.contentType(NESTED_NAME));
    assertEquals("application/json", StorageNotifications.contentType("a/b.JSON"));
    assertEquals("text/csv", StorageNotifications.contentType("data[1]*?{a,b}.csv"));
    assertEquals("image/png", StorageNotifications.contentType("chart#1.png"));
    assertEquals("application/octet-stream", StorageNotifications.contentType("work001.processed"));
    assertEquals("application/octet-stream", StorageNotifications.contentType("trailing."));
  }

  @Test
  public void checksumsOfAnEmptyFileAreTheWellKnownOnes() throws Exception {
    StoredObject object = StoredObject.read(write("empty", new byte[0]), BUCKET, "empty", 7);

    assertEquals(0, object.size());
    assertEquals("1B2M2Y8AsgTpgAmY7PhCfg==", object.md5Hash());
    assertEquals("AAAAAA==", object.crc32c());
  }

  @Test
  public void checksumsOfAFileLargerThanTheReadBufferMatchWholeContentChecksums() throws Exception {
    byte[] content = new byte[3 * 64 * 1024 + 17];
    new Random(42).nextBytes(content);

    StoredObject object = StoredObject.read(write("big.bin", content), BUCKET, "big.bin", 7);

    assertEquals(content.length, object.size());
    assertEquals(md5(content), object.md5Hash());
    assertEquals(crc32c(content), object.crc32c());
  }

  private StoredObject object(String name, long generation) throws IOException {
    byte[] content = ("content of " + name + "\n").getBytes(StandardCharsets.UTF_8);
    return StoredObject.read(write(name, content), BUCKET, name, generation);
  }

  private Path write(String name, byte[] content) throws IOException {
    Path file = folder.getRoot().toPath().resolve(BUCKET).resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, content);
  }

  private static GcsNotification parse(PubsubMessage message) throws Exception {
    return NotificationParser.parse(OriginalMessage.of(message), org.joda.time.Instant.now());
  }

  private static String text(PubsubMessage message) {
    return new String(message.getPayload(), StandardCharsets.UTF_8);
  }

  private static List<String> bodyKeys(PubsubMessage message) {
    List<String> keys = new ArrayList<>();
    Matcher matcher = BODY_KEY.matcher(text(message));
    while (matcher.find()) {
      keys.add(matcher.group(1));
    }
    return keys;
  }
}
