package dev.gcsrewrite.local.notifier;

import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.crc32c;
import static dev.gcsrewrite.testing.Notifications.md5;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.location.LocalGenerations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The notifier on real folders, driven one scan at a time: what Cloud Storage would publish for
 * each change, and nothing else.
 */
public class LocalBucketNotifierTest {
  private static final String BUCKET = "workbucket01_demo-project";
  private static final Instant T = Instant.parse("2026-11-20T09:15:02.412883Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private Path root;
  private final RecordingPublisher published = new RecordingPublisher();

  @Before
  public void createBucket() throws IOException {
    root = folder.newFolder("buckets").toPath();
    Files.createDirectories(root.resolve(BUCKET));
  }

  @Test
  public void newFileIsAnnouncedOnceWithItsSizeAndChecksums() throws Exception {
    String name = "reports/2026/q4 summary é.txt";
    byte[] content = "AWS é AWS\n".repeat(300).getBytes(StandardCharsets.UTF_8);
    Path file = put(name, content, T);
    long generation = Files.getLastModifiedTime(file).to(TimeUnit.MICROSECONDS);
    LocalBucketNotifier notifier = notifier().build();

    notifier.scanOnce();
    assertEquals("seen once is not yet stable", List.of(), published.events());
    notifier.scanOnce();
    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(List.of("OBJECT_FINALIZE " + name + "#" + generation), published.events());
    PubsubMessage message = published.messages.get(0);
    assertEquals(BUCKET, message.getAttribute("bucketId"));
    assertNull(message.getAttribute("overwroteGeneration"));
    JsonNode body = JSON.readTree(message.getPayload());
    assertEquals(Integer.toString(content.length), body.get("size").asText());
    assertEquals(md5(content), body.get("md5Hash").asText());
    assertEquals(crc32c(content), body.get("crc32c").asText());
    GcsNotification parsed = parse(message);
    assertEquals(BUCKET, parsed.bucket());
    assertEquals(name, parsed.objectId());
    assertEquals(generation, parsed.generation());
    assertEquals(1, notifier.finalizesPublished());
    assertEquals(0, notifier.deletesPublished());
    assertEquals(1, notifier.messagesPublished());
  }

  @Test
  public void fileStillBeingWrittenIsAnnouncedOnlyOnceStable() throws Exception {
    Path file = put("growing.log", bytes("first half\n"), null);
    LocalBucketNotifier notifier = notifier().build();

    notifier.scanOnce();
    Files.write(file, bytes("second half\n"), StandardOpenOption.APPEND);
    notifier.scanOnce();
    assertEquals("changed since the last scan", List.of(), published.events());
    notifier.scanOnce();

    byte[] whole = bytes("first half\nsecond half\n");
    assertEquals(1, published.messages.size());
    GcsNotification announced = parse(published.messages.get(0));
    assertEquals(Long.valueOf(whole.length), announced.size());
    assertEquals(md5(whole), announced.md5Hash());
  }

  @Test
  public void overwriteAnnouncesTheNewGenerationAndDeletesTheOldOne() throws Exception {
    byte[] before = bytes("AWS v1\n");
    byte[] after = bytes("AWS v2, longer\n");
    Path file = put("work001", before, T);
    LocalBucketNotifier notifier = notifier().build();
    notifier.scanOnce();
    notifier.scanOnce();
    long first = published.generations().get(0);

    put("work001", after, T.plusSeconds(97));
    long second = Files.getLastModifiedTime(file).to(TimeUnit.MICROSECONDS);
    notifier.scanOnce();
    notifier.scanOnce();

    assertTrue(second > first);
    assertEquals(
        List.of(
            "OBJECT_FINALIZE work001#" + first,
            "OBJECT_FINALIZE work001#" + second,
            "OBJECT_DELETE work001#" + first),
        published.events());
    PubsubMessage finalize = published.messages.get(1);
    assertEquals(Long.toString(first), finalize.getAttribute("overwroteGeneration"));
    assertEquals(Long.valueOf(first), parse(finalize).overwroteGeneration());
    assertEquals(md5(after), parse(finalize).md5Hash());

    PubsubMessage delete = published.messages.get(2);
    assertEquals(Long.toString(second), delete.getAttribute("overwrittenByGeneration"));
    assertEquals(finalize.getAttribute("eventTime"), delete.getAttribute("eventTime"));
    JsonNode deleted = JSON.readTree(delete.getPayload());
    assertEquals("the old content", md5(before), deleted.get("md5Hash").asText());
    assertEquals(Integer.toString(before.length), deleted.get("size").asText());
    assertTrue(deleted.has("timeDeleted"));
    assertEquals(first, parse(delete).generation());
    assertEquals(2, notifier.finalizesPublished());
    assertEquals(1, notifier.deletesPublished());
  }

  @Test
  public void eachAnnouncedGenerationIsKeptForPinnedReadsUntilReplacedOrDeleted() throws Exception {
    for (boolean versioned : List.of(false, true)) {
      String name = versioned ? "versioned.txt" : "plain.txt";
      LocalGenerations.setVersioned(root, BUCKET, versioned);
      replace(name, bytes("AWS v1\n"), T);
      LocalBucketNotifier notifier = notifier().build();
      notifier.scanOnce();
      notifier.scanOnce();
      long first = published.generations().get(published.generations().size() - 1);
      assertArrayEquals(
          bytes("AWS v1\n"), Files.readAllBytes(LocalGenerations.path(root, BUCKET, name, first)));

      // Overwritten the way uploads and moves replace a file: a new file moved into place.
      replace(name, bytes("AWS v2, longer\n"), T.plusSeconds(97));
      notifier.scanOnce();
      notifier.scanOnce();
      long second = Files.getLastModifiedTime(root.resolve(BUCKET).resolve(name)).to(MICROSECONDS);
      assertArrayEquals(
          bytes("AWS v2, longer\n"),
          Files.readAllBytes(LocalGenerations.path(root, BUCKET, name, second)));
      assertEquals(
          name + ": the replaced generation is kept only in a versioned bucket",
          versioned,
          Files.exists(LocalGenerations.path(root, BUCKET, name, first)));
      if (versioned) {
        assertArrayEquals(
            bytes("AWS v1\n"),
            Files.readAllBytes(LocalGenerations.path(root, BUCKET, name, first)));
      }

      Files.delete(root.resolve(BUCKET).resolve(name));
      notifier.scanOnce();
      assertEquals(versioned, Files.exists(LocalGenerations.path(root, BUCKET, name, second)));
      assertEquals(
          name + ": the name's folder goes with its last generation",
          versioned,
          Files.exists(LocalGenerations.path(root, BUCKET, name, second).getParent()));
      // The store itself is never taken for a bucket.
      assertTrue(published.events().stream().noneMatch(e -> e.contains(LocalGenerations.STORE)));
    }
  }

  @Test
  public void deletedFileIsAnnouncedWithItsLastGeneration() throws Exception {
    byte[] content = bytes("AWS\n");
    Path file = put("docs/readme.txt", content, T);
    Instant deletedAt = Instant.parse("2026-11-20T10:00:00.123456Z");
    LocalBucketNotifier notifier = notifier().clock(Clock.fixed(deletedAt, ZoneOffset.UTC)).build();
    notifier.scanOnce();
    notifier.scanOnce();
    long generation = published.generations().get(0);

    Files.delete(file);
    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(
        List.of(
            "OBJECT_FINALIZE docs/readme.txt#" + generation,
            "OBJECT_DELETE docs/readme.txt#" + generation),
        published.events());
    PubsubMessage delete = published.messages.get(1);
    assertNull(delete.getAttribute("overwrittenByGeneration"));
    assertEquals("2026-11-20T10:00:00.123456Z", delete.getAttribute("eventTime"));
    JsonNode body = JSON.readTree(delete.getPayload());
    assertEquals("2026-11-20T10:00:00.123Z", body.get("timeDeleted").asText());
    assertEquals(md5(content), body.get("md5Hash").asText());
    assertEquals(1, notifier.deletesPublished());
  }

  @Test
  public void eachNotificationIsPublishedKTimesAsIdenticalMessages() throws Exception {
    put("work001", bytes("AWS v1\n"), T);
    LocalBucketNotifier notifier = notifier().duplicates(3).build();
    notifier.scanOnce();
    notifier.scanOnce();
    put("work001", bytes("AWS v2, longer\n"), T.plusSeconds(1));
    notifier.scanOnce();
    notifier.scanOnce();

    List<String> events = published.events();
    assertEquals(9, events.size());
    for (int event = 0; event < 3; event++) {
      PubsubMessage first = published.messages.get(event * 3);
      for (int copy = 1; copy < 3; copy++) {
        PubsubMessage other = published.messages.get(event * 3 + copy);
        assertEquals(events.get(event * 3), events.get(event * 3 + copy));
        assertEquals(first.getAttributeMap(), other.getAttributeMap());
        assertArrayEquals(first.getPayload(), other.getPayload());
      }
    }
    assertEquals(
        List.of("OBJECT_FINALIZE", "OBJECT_FINALIZE", "OBJECT_DELETE"), everyThird(events));
    assertEquals(2, notifier.finalizesPublished());
    assertEquals(1, notifier.deletesPublished());
    assertEquals(9, notifier.messagesPublished());
  }

  @Test
  public void startupAnnouncesFilesAlreadyThereByDefault() throws Exception {
    put("a", bytes("AWS a\n"), T);
    put("b", bytes("AWS b\n"), T);
    LocalBucketNotifier notifier = notifier().build();

    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(List.of("a", "b"), published.names());
    assertEquals(List.of(), notifier.adopted());
  }

  @Test
  public void adoptingNotifierAnnouncesOnlyWhatChangesAfterStart() throws Exception {
    put("a", bytes("AWS a\n"), T);
    Path b = put("b", bytes("AWS b\n"), T);
    long bGeneration = Files.getLastModifiedTime(b).to(TimeUnit.MICROSECONDS);
    LocalBucketNotifier notifier = notifier().adoptPresentFiles().build();

    notifier.scanOnce();
    notifier.scanOnce();
    put("d", bytes("AWS d\n"), T);
    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(List.of("d"), published.names());
    assertEquals(List.of("a", "b"), notifier.adopted().stream().map(StoredObject::name).toList());
    StoredObject adoptedB = notifier.adopted().get(1);
    assertEquals(bGeneration, adoptedB.generation());
    assertEquals(6, adoptedB.size());
    assertTrue(
        "the adopted generation is kept for the pipeline to read",
        Files.isSameFile(b, LocalGenerations.path(root, BUCKET, "b", bGeneration)));

    // The adopted generation is the live one: changing b overwrites and deletes it.
    put("b", bytes("AWS b, changed\n"), T.plusSeconds(5));
    notifier.scanOnce();
    notifier.scanOnce();
    assertEquals(List.of("d", "b", "b"), published.names());
    assertEquals(
        Long.toString(bGeneration), published.messages.get(1).getAttribute("overwroteGeneration"));
    assertEquals("OBJECT_DELETE b#" + bGeneration, published.events().get(2));
  }

  @Test
  public void restartedNotifierAdoptsAFileAsTheGenerationItWasAnnouncedAs() throws Exception {
    Path file = put("work001", bytes("one\n"), T);
    long g1 = Files.getLastModifiedTime(file).to(TimeUnit.MICROSECONDS);
    LocalBucketNotifier first = notifier().build();
    first.scanOnce();
    first.scanOnce();
    // Same modification time: the first notifier raised the generation to keep it growing.
    put("work001", bytes("two!\n"), T);
    first.scanOnce();
    first.scanOnce();
    first.close();
    assertEquals("OBJECT_FINALIZE work001#" + (g1 + 1), published.events().get(1));

    LocalBucketNotifier restarted = notifier().adoptPresentFiles().build();
    restarted.scanOnce();
    restarted.scanOnce();

    assertEquals(
        "the store, not the modification time, names the file's generation",
        List.of(g1 + 1),
        restarted.adopted().stream().map(StoredObject::generation).toList());
    assertEquals(3, published.events().size());
  }

  @Test
  public void generationsGrowEvenWhenTheModificationTimeDoesNot() throws Exception {
    Path file = put("work001", bytes("one\n"), T);
    long timeGeneration = Files.getLastModifiedTime(file).to(TimeUnit.MICROSECONDS);
    LocalBucketNotifier notifier = notifier().build();
    notifier.scanOnce();
    notifier.scanOnce();

    put("work001", bytes("two!\n"), T);
    notifier.scanOnce();
    notifier.scanOnce();
    put("work001", bytes("three\n"), T.minusSeconds(3600));
    notifier.scanOnce();
    notifier.scanOnce();
    Files.delete(file);
    notifier.scanOnce();
    put("work001", bytes("four!!\n"), T);
    notifier.scanOnce();
    notifier.scanOnce();

    long g1 = timeGeneration;
    assertEquals(
        List.of(
            "OBJECT_FINALIZE work001#" + g1,
            "OBJECT_FINALIZE work001#" + (g1 + 1),
            "OBJECT_DELETE work001#" + g1,
            "OBJECT_FINALIZE work001#" + (g1 + 2),
            "OBJECT_DELETE work001#" + (g1 + 1),
            "OBJECT_DELETE work001#" + (g1 + 2),
            "OBJECT_FINALIZE work001#" + (g1 + 3)),
        published.events());
    assertNull(
        "a recreated name overwrote nothing",
        published.messages.get(6).getAttribute("overwroteGeneration"));
    for (PubsubMessage message : published.messages) {
      parse(message);
    }
  }

  @Test
  public void failedPublishIsRetriedOnTheNextScan() throws Exception {
    put("work001", bytes("AWS\n"), T);
    LocalBucketNotifier notifier = notifier().duplicates(2).build();
    published.failuresToCome = 2;

    notifier.scanOnce();
    notifier.scanOnce();
    assertEquals(List.of(), published.events());
    assertEquals(1, notifier.awaitingPublish());
    assertEquals(0, notifier.finalizesPublished());
    notifier.scanOnce();
    assertEquals(List.of(), published.events());

    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(List.of("work001", "work001"), published.names());
    assertEquals(0, notifier.awaitingPublish());
    assertEquals(1, notifier.finalizesPublished());
    assertEquals(2, notifier.messagesPublished());
  }

  @Test
  public void everyObjectInABucketIsAnnouncedOutputsAndTempFoldersIncluded() throws Exception {
    put(".temp-beam-5c1e/0c3f7a", bytes("partial output\n"), T);
    put("work001.processed", bytes("GCP\n"), T);
    put(".hidden", bytes("x\n"), T);
    Files.createDirectories(root.resolve("second-bucket"));
    Files.writeString(root.resolve("second-bucket").resolve("object"), "y\n");
    LocalBucketNotifier notifier = notifier().build();

    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(
        List.of(
            "second-bucket/object",
            BUCKET + "/.hidden",
            BUCKET + "/.temp-beam-5c1e/0c3f7a",
            BUCKET + "/work001.processed"),
        published.bucketsAndNames());
  }

  @Test
  public void filesInTheRootAndFoldersThatCannotBeBucketsAreNotObjects() throws Exception {
    Files.writeString(root.resolve(".work001.tmp"), "being written\n");
    Files.createDirectories(root.resolve("Not_A_Bucket"));
    Files.writeString(root.resolve("Not_A_Bucket").resolve("x"), "x\n");
    Files.createDirectories(root.resolve(".generator"));
    Files.writeString(root.resolve(".generator").resolve("y"), "y\n");
    LocalBucketNotifier notifier = notifier().build();

    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(List.of(), published.events());
  }

  @Test
  public void startedNotifierPublishesFromADaemonThreadAndCloseStopsIt() throws Exception {
    CountDownLatch announced = new CountDownLatch(1);
    List<Thread> publishingThreads = new CopyOnWriteArrayList<>();
    LocalBucketNotifier notifier =
        LocalBucketNotifier.builder(
                root,
                messages -> {
                  publishingThreads.add(Thread.currentThread());
                  announced.countDown();
                })
            .pollInterval(Duration.ofMillis(10))
            .build();
    notifier.start();
    put("work001", bytes("AWS\n"), T);

    // Only an upper bound for a slow machine, not a timing assertion.
    assertTrue("announced", announced.await(60, TimeUnit.SECONDS));
    notifier.close();

    Thread poller = publishingThreads.get(0);
    assertTrue(poller.isDaemon());
    assertFalse("close waits for the polling thread", poller.isAlive());
    assertThrows(IllegalStateException.class, notifier::start);
  }

  @Test
  public void settingsThatCannotWorkAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> notifier().duplicates(0));
    assertThrows(IllegalArgumentException.class, () -> notifier().pollInterval(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> LocalBucketNotifier.builder(root.resolve("missing"), published).build());
  }

  private LocalBucketNotifier.Builder notifier() {
    return LocalBucketNotifier.builder(root, published);
  }

  /** Writes an object of the test bucket; with a modification time when {@code modified} is set. */
  private Path put(String name, byte[] content, Instant modified) throws IOException {
    Path file = root.resolve(BUCKET).resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    if (modified != null) {
      Files.setLastModifiedTime(file, FileTime.from(modified));
    }
    return file;
  }

  /** Replaces an object of the test bucket by moving a new file into place. */
  private Path replace(String name, byte[] content, Instant modified) throws IOException {
    Path file = root.resolve(BUCKET).resolve(name);
    Path staged = root.resolve("staged-" + name);
    Files.write(staged, content);
    Files.setLastModifiedTime(staged, FileTime.from(modified));
    return Files.move(
        staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static GcsNotification parse(PubsubMessage message) throws Exception {
    return NotificationParser.parse(OriginalMessage.of(message), org.joda.time.Instant.now());
  }

  private static List<String> everyThird(List<String> events) {
    List<String> types = new ArrayList<>();
    for (int i = 0; i < events.size(); i += 3) {
      types.add(events.get(i).substring(0, events.get(i).indexOf(' ')));
    }
    return types;
  }

  /** A publisher that keeps what it is given, and fails the next {@link #failuresToCome} calls. */
  private static final class RecordingPublisher implements NotificationPublisher {
    final List<PubsubMessage> messages = new ArrayList<>();
    int failuresToCome;

    @Override
    public void publish(List<PubsubMessage> batch) throws IOException {
      if (failuresToCome > 0) {
        failuresToCome--;
        throw new IOException("the emulator is down");
      }
      messages.addAll(batch);
    }

    /** Each message as {@code <eventType> <objectId>#<generation>}. */
    List<String> events() {
      List<String> events = new ArrayList<>();
      for (PubsubMessage m : messages) {
        events.add(
            m.getAttribute("eventType")
                + " "
                + m.getAttribute("objectId")
                + "#"
                + m.getAttribute("objectGeneration"));
      }
      return events;
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      for (PubsubMessage m : messages) {
        names.add(m.getAttribute("objectId"));
      }
      return names;
    }

    List<String> bucketsAndNames() {
      List<String> names = new ArrayList<>();
      for (PubsubMessage m : messages) {
        names.add(m.getAttribute("bucketId") + "/" + m.getAttribute("objectId"));
      }
      return names;
    }

    List<Long> generations() {
      List<Long> generations = new ArrayList<>();
      for (PubsubMessage m : messages) {
        generations.add(Long.parseLong(m.getAttribute("objectGeneration")));
      }
      return generations;
    }
  }
}
