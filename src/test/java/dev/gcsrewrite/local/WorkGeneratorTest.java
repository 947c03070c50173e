package dev.gcsrewrite.local;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.local.WorkGenerator.WorkObject;
import dev.gcsrewrite.local.notifier.LocalBucketNotifier;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.NotificationParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The tutorial workload: its names, its content, and files that only ever appear whole. */
public class WorkGeneratorTest {
  private static final String BUCKET = "workbucket01_demo-project";
  private static final Pattern BASE64_LINES = Pattern.compile("([A-Za-z0-9+/=]{1,76}\n)+");

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private Path root;
  private Path bucket;

  @Before
  public void createRoot() throws IOException {
    root = folder.newFolder("buckets").toPath();
    bucket = root.resolve(BUCKET);
  }

  @Test
  public void writesNumberedFilesOfBase64TextWithTokens() throws Exception {
    List<WorkObject> written = WorkGenerator.write(bucket, WorkGenerator.DEFAULT_COUNT, 7);

    assertEquals(99, written.size());
    List<String> expectedNames = new ArrayList<>();
    for (int i = 1; i <= 99; i++) {
      expectedNames.add(String.format("work%03d", i));
    }
    assertEquals(expectedNames, written.stream().map(WorkObject::name).toList());
    assertEquals(expectedNames, filesIn(bucket));
    int withAmazon = 0;
    for (WorkObject object : written) {
      byte[] content = Files.readAllBytes(object.path());
      String text = new String(content, StandardCharsets.US_ASCII);
      assertEquals(bucket.resolve(object.name()), object.path());
      assertEquals(content.length, object.size());
      assertTrue(object.name() + " is " + content.length, content.length <= 2048);
      assertTrue(object.name() + " is base64 lines", BASE64_LINES.matcher(text).matches());
      assertEquals(occurrences(text, "AWS"), (int) object.tokens().get("AWS"));
      assertEquals(occurrences(text, "Amazon"), (int) object.tokens().get("Amazon"));
      assertEquals(occurrences(text, "AWS") + occurrences(text, "Amazon"), object.tokenCount());
      assertTrue(object.name() + " has AWS", occurrences(text, "AWS") >= 1);
      withAmazon += occurrences(text, "Amazon") > 0 ? 1 : 0;
    }
    assertTrue("some files have Amazon: " + withAmazon, withAmazon > 0 && withAmazon < 99);
  }

  @Test
  public void sameSeedWritesTheSameWorkloadAndAnotherSeedAnotherOne() throws Exception {
    List<WorkObject> first = WorkGenerator.write(root.resolve("first"), 10, 42);
    List<WorkObject> again = WorkGenerator.write(root.resolve("again"), 10, 42);
    List<WorkObject> other = WorkGenerator.write(root.resolve("other"), 10, 43);

    for (int i = 0; i < 10; i++) {
      byte[] content = Files.readAllBytes(first.get(i).path());
      assertArrayEquals(content, Files.readAllBytes(again.get(i).path()));
      assertEquals(first.get(i).tokens(), again.get(i).tokens());
      assertFalse(
          first.get(i).name() + " differs across seeds",
          Arrays.equals(content, Files.readAllBytes(other.get(i).path())));
    }
  }

  @Test
  public void namesHaveThreeDigitsAndMoreWhenTheCountNeedsThem() {
    assertEquals("work001", WorkGenerator.objectName(1, 99));
    assertEquals("work099", WorkGenerator.objectName(99, 99));
    assertEquals("work999", WorkGenerator.objectName(999, 999));
    assertEquals("work0007", WorkGenerator.objectName(7, 1000));
    assertEquals("work1000", WorkGenerator.objectName(1000, 1000));
    assertThrows(IllegalArgumentException.class, () -> WorkGenerator.write(bucket, 0, 1));
  }

  @Test
  public void onlyFinalNamesEverAppearInTheBucketAndNoFileIsWrittenInPlace() throws Exception {
    Files.createDirectories(bucket);
    List<String> events = new ArrayList<>();
    List<WorkObject> written;
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      bucket.register(watch, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
      written = WorkGenerator.write(bucket, 40, 3);
      // The file system reports events in order: once the sentinel's arrives, all before it have.
      Path sentinel = Files.writeString(root.resolve(".sentinel"), "");
      Files.move(sentinel, bucket.resolve("zz-sentinel"), StandardCopyOption.ATOMIC_MOVE);
      boolean sentinelSeen = false;
      while (!sentinelSeen) {
        // Only an upper bound for a slow machine, not a timing assertion.
        WatchKey key = watch.poll(60, TimeUnit.SECONDS);
        assertNotNull("no file system event within a minute", key);
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == OVERFLOW) {
            fail("the watch service lost events");
          }
          String name = event.context().toString();
          if (name.equals("zz-sentinel")) {
            sentinelSeen = true;
          } else {
            events.add(event.kind().name() + " " + name);
          }
        }
        key.reset();
      }
    }

    Set<String> expected = new TreeSet<>();
    for (WorkObject object : written) {
      expected.add("ENTRY_CREATE " + object.name());
    }
    // A file written in place would also show ENTRY_MODIFY; a temporary name, its own events.
    assertEquals(expected, new TreeSet<>(events));
    assertEquals("each name appears once", expected.size(), events.size());
  }

  @Test
  public void filesAreNeverSeenWithAPartialSize() throws Exception {
    Files.createDirectories(bucket);
    Map<String, Set<Long>> seenSizes = new ConcurrentHashMap<>();
    AtomicBoolean generatorDone = new AtomicBoolean();
    Thread observer =
        new Thread(
            () -> {
              boolean last;
              do {
                last = generatorDone.get();
                observe(bucket, seenSizes);
              } while (!last);
            });
    observer.start();
    List<WorkObject> written;
    try {
      written = WorkGenerator.write(bucket, 300, 11);
    } finally {
      generatorDone.set(true);
      observer.join();
    }

    Map<String, Long> finalSizes = new HashMap<>();
    for (WorkObject object : written) {
      finalSizes.put(object.name(), (long) object.size());
    }
    assertEquals("the last look sees every file", finalSizes.keySet(), seenSizes.keySet());
    for (Map.Entry<String, Set<Long>> seen : seenSizes.entrySet()) {
      assertEquals(seen.getKey(), Set.of(finalSizes.get(seen.getKey())), seen.getValue());
    }
  }

  @Test
  public void rewritingTheWorkloadReplacesTheFilesAndLeavesNoTemporaryFiles() throws Exception {
    WorkGenerator.write(bucket, 5, 1);
    List<WorkObject> second = WorkGenerator.write(bucket, 5, 2);

    assertEquals(List.of("work001", "work002", "work003", "work004", "work005"), filesIn(bucket));
    for (WorkObject object : second) {
      assertArrayEquals(
          WorkGenerator.content(number(object), 2), Files.readAllBytes(object.path()));
    }
    assertEquals("nothing but the bucket in the root", List.of(BUCKET), filesIn(root));
  }

  @Test
  public void writingWhatIsMissingLeavesCompleteFilesAloneAndMendsTheRest() throws Exception {
    List<WorkObject> first = WorkGenerator.write(bucket, 5, 3);
    Object untouched =
        Files.readAttributes(first.get(0).path(), BasicFileAttributes.class).fileKey();
    Files.delete(first.get(1).path());
    Files.writeString(first.get(2).path(), "something else\n");

    List<WorkObject> again = WorkGenerator.writeMissing(bucket, 5, 3);

    assertEquals(
        first.stream().map(WorkObject::name).toList(),
        again.stream().map(WorkObject::name).toList());
    assertEquals(
        "a file that has its content is not replaced (no new generation)",
        untouched,
        Files.readAttributes(again.get(0).path(), BasicFileAttributes.class).fileKey());
    assertEquals(
        List.of(false, true, true, false, false), again.stream().map(WorkObject::written).toList());
    for (WorkObject object : again) {
      assertArrayEquals(
          WorkGenerator.content(number(object), 3), Files.readAllBytes(object.path()));
    }
  }

  @Test
  public void generatedWorkloadIsAnnouncedOneFinalizePerFile() throws Exception {
    List<PubsubMessage> published = new ArrayList<>();
    LocalBucketNotifier notifier = LocalBucketNotifier.builder(root, published::addAll).build();
    notifier.scanOnce();

    List<WorkObject> written = WorkGenerator.write(bucket, WorkGenerator.DEFAULT_COUNT, 5);
    notifier.scanOnce();
    notifier.scanOnce();

    assertEquals(written.size(), published.size());
    for (int i = 0; i < written.size(); i++) {
      GcsNotification n =
          NotificationParser.parse(
              OriginalMessage.of(published.get(i)), org.joda.time.Instant.now());
      assertEquals(BUCKET, n.bucket());
      assertEquals(written.get(i).name(), n.objectId());
      assertEquals(Long.valueOf(written.get(i).size()), n.size());
      assertEquals("text/plain", n.contentType());
      assertTrue(n.isFinalize());
    }
    assertEquals(99, notifier.finalizesPublished());
  }

  private static int number(WorkObject object) {
    return Integer.parseInt(object.name().substring("work".length()));
  }

  private static void observe(Path bucket, Map<String, Set<Long>> seenSizes) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(bucket)) {
      for (Path file : files) {
        try {
          long size = Files.size(file);
          seenSizes
              .computeIfAbsent(file.getFileName().toString(), name -> ConcurrentHashMap.newKeySet())
              .add(size);
        } catch (NoSuchFileException e) {
          // Gone between listing and looking: a temporary name, reported by the listing already.
          seenSizes.computeIfAbsent(
              file.getFileName().toString(), name -> ConcurrentHashMap.newKeySet());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** Non-overlapping occurrences, as the rewriter replaces them. */
  private static int occurrences(String text, String token) {
    return (int) Pattern.compile(Pattern.quote(token)).matcher(text).results().count();
  }
}
