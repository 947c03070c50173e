package dev.gcsrewrite.location;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The generation store of a local bucket on a real file system: what it keeps, what it drops once
 * no one will read it, and that dropping never disturbs a reader or a generation being kept.
 */
public class LocalGenerationsTest {
  private static final String BUCKET = "bucket";
  private static final long G1 = 1_700_000_000_000_001L;
  private static final long G2 = 1_700_000_000_000_002L;
  private static final long G3 = 1_700_000_000_000_003L;

  @Rule public final TemporaryFolder folder = new TemporaryFolder();
  private Path root;

  @Before
  public void createStore() throws IOException {
    root = folder.getRoot().toPath();
    Files.createDirectories(root.resolve(BUCKET));
    LocalGenerations.setVersioned(root, BUCKET, false);
  }

  @Test
  public void olderGenerationsLeaveOnceANewerIsCompletedAndNewerOnesStay() throws IOException {
    LocalGenerations.setVersioned(root, BUCKET, true);
    overwrite("a.txt", G1, "one");
    overwrite("a.txt", G2, "two");
    overwrite("a.txt", G3, "three");

    assertEquals(List.of(G1), LocalGenerations.dropOlder(root, BUCKET, "a.txt", G2));

    assertEquals(List.of(G2, G3), kept("a.txt"));
    assertEquals("two", Files.readString(LocalGenerations.path(root, BUCKET, "a.txt", G2)));
    assertEquals(List.of(G2), LocalGenerations.dropOlder(root, BUCKET, "a.txt", G3));
    assertEquals(List.of(G3), kept("a.txt"));
  }

  @Test
  public void theBucketsFileItselfStaysWhateverItsGeneration() throws IOException {
    overwrite("b.txt", G2, "current");
    // An older generation's link of other content, as a listing or a restart may leave one.
    Path stray = Files.writeString(folder.newFile().toPath(), "stray");
    LocalGenerations.keep(root, BUCKET, "b.txt", G1, stray);

    assertEquals(List.of(G1), LocalGenerations.dropOlder(root, BUCKET, "b.txt", G3));

    assertEquals(List.of(G2), kept("b.txt"));
  }

  @Test
  public void theNamesFolderGoesWithItsLastLinkAndTheStoreStays() throws IOException {
    overwrite("c.txt", G1, "one");
    Path nameFolder = LocalGenerations.path(root, BUCKET, "c.txt", G1).getParent();
    Files.delete(root.resolve(BUCKET).resolve("c.txt"));

    LocalGenerations.replaced(root, BUCKET, "c.txt", G1);

    assertFalse(Files.exists(nameFolder));
    assertTrue(LocalGenerations.hasStore(root, BUCKET));
    overwrite("c.txt", G2, "two");
    assertEquals(List.of(G2), kept("c.txt"));
  }

  @Test
  public void aReaderHoldingADroppedGenerationOpenReadsItToTheEnd() throws IOException {
    LocalGenerations.setVersioned(root, BUCKET, true);
    overwrite("d.txt", G1, "the first generation's bytes");
    try (InputStream reader =
        Files.newInputStream(LocalGenerations.path(root, BUCKET, "d.txt", G1))) {
      overwrite("d.txt", G2, "two");

      LocalGenerations.dropOlder(root, BUCKET, "d.txt", G2);

      assertFalse(Files.exists(LocalGenerations.path(root, BUCKET, "d.txt", G1)));
      assertEquals("the first generation's bytes", new String(reader.readAllBytes(), UTF_8));
    }
  }

  @Test
  public void aFileReplacedWhileNobodyWatchedDropsWhatItReplacedUnlessVersioned()
      throws IOException {
    for (boolean versioned : List.of(false, true)) {
      String name = versioned ? "versioned.txt" : "plain.txt";
      LocalGenerations.setVersioned(root, BUCKET, versioned);
      overwrite(name, G1, "one");
      Path file = replace(name, "two");

      long current = LocalGenerations.current(root, BUCKET, name, file, G2);

      assertEquals(G2, current);
      assertEquals(name, versioned ? List.of(G1, G2) : List.of(G2), kept(name));
    }
  }

  @Test
  public void keepingNeverFailsWhileAnotherGenerationOfTheNameTakesTheFolderAlong()
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<CompletableFuture<Void>> keepers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Path content = Files.writeString(folder.newFile().toPath(), "thread " + t);
        long first = G1 + t * 1_000_000L;
        keepers.add(
            CompletableFuture.runAsync(
                () -> keepAndForget("e.txt", content, first, 3_000), threads));
      }
      for (CompletableFuture<Void> keeper : keepers) {
        keeper.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(List.of(), kept("e.txt"));
  }

  /** Keeps {@code count} generations of {@code name} one after another, forgetting each. */
  private void keepAndForget(String name, Path content, long first, int count) {
    try {
      for (long g = first; g < first + count; g++) {
        LocalGenerations.keep(root, BUCKET, name, g, content);
        LocalGenerations.replaced(root, BUCKET, name, g);
      }
    } catch (IOException e) {
      throw new AssertionError("keeping a generation failed", e);
    }
  }

  /** Writes {@code content} as generation {@code generation}: moved into place, then kept. */
  private void overwrite(String name, long generation, String content) throws IOException {
    LocalGenerations.keep(root, BUCKET, name, generation, replace(name, content));
  }

  /** Replaces the bucket's file with a new one, as an upload does. */
  private Path replace(String name, String content) throws IOException {
    Path file = root.resolve(BUCKET).resolve(name);
    Path staged = Files.writeString(file.resolveSibling(".staged"), content);
    return Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The generations the store keeps of {@code name}, in order. */
  private List<Long> kept(String name) throws IOException {
    Path nameFolder = LocalGenerations.path(root, BUCKET, name, 1).getParent();
    if (!Files.isDirectory(nameFolder)) {
      return List.of();
    }
    try (var links = Files.list(nameFolder)) {
      return links.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
    }
  }
}
