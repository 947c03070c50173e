package dev.gcsrewrite.soak;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.gcsrewrite.location.ContentChecksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The soak's steady stream of work on one bucket folder: creates, overwrites and deletes of a fixed
 * set of object names, duplicate notifications and, now and then, a hostile message, chosen by a
 * seeded {@link Random}. Each content it writes is kept by its MD5, so that the checker can tell
 * which generation an output is the rewrite of.
 */
final class Workload {
  /** What one step of the workload did. */
  enum Op {
    CREATE,
    OVERWRITE,
    DELETE,
    DUPLICATE,
    HOSTILE
  }

  /** The hot objects: the first few names. */
  private static final java.util.Set<String> HOT =
      java.util.Set.of(name(1), name(2), name(3), name(4), name(5), name(6));

  private final Path bucket;
  private final Path staging;
  private final int objects;
  private final Random random;
  private final NotifiedGenerations notified;
  private final HostileMessages hostile;
  // Guarded by this.
  private final TreeSet<String> present = new TreeSet<>();
  private final Map<String, Integer> versions = new HashMap<>();
  private final Map<String, byte[]> contentByMd5 = new HashMap<>();
  private final Map<Op, Long> done = new EnumMap<>(Op.class);
  private long duplicatesMissed;

  Workload(
      Path bucket, int objects, long seed, NotifiedGenerations notified, HostileMessages hostile) {
    this.bucket = bucket;
    this.staging = bucket.getParent();
    this.objects = objects;
    this.random = new Random(seed);
    this.notified = notified;
    this.hostile = hostile;
  }

  /**
   * One operation, chosen at random: about 25% creates, 35% overwrites, 10% deletes, 28%
   * duplicates, 2% hostile messages. Each step draws the same three numbers whatever it does, so
   * the sequence of operations depends on the seed alone, not on timing.
   */
  void step() throws IOException {
    int roll = random.nextInt(100);
    int pick = random.nextInt(Integer.MAX_VALUE);
    long contentSeed = random.nextLong();
    Op op =
        roll < 25
            ? Op.CREATE
            : roll < 60
                ? Op.OVERWRITE
                : roll < 70 ? Op.DELETE : roll < 98 ? Op.DUPLICATE : Op.HOSTILE;
    switch (op) {
      case CREATE, OVERWRITE, DELETE -> fileOp(op, pick, contentSeed);
      case DUPLICATE -> {
        if (notified.publishDuplicate(pick)) {
          count(Op.DUPLICATE);
        } else {
          synchronized (this) {
            duplicatesMissed++;
          }
        }
      }
      case HOSTILE -> {
        hostile.publishOne(pick);
        count(Op.HOSTILE);
      }
    }
  }

  private void fileOp(Op wanted, int pick, long contentSeed) throws IOException {
    String name;
    Op op;
    synchronized (this) {
      List<String> absent = new ArrayList<>();
      for (int i = 1; i <= objects; i++) {
        if (!present.contains(name(i))) {
          absent.add(name(i));
        }
      }
      boolean create = wanted == Op.CREATE ? !absent.isEmpty() : present.isEmpty();
      List<String> names = create ? absent : new ArrayList<>(present);
      // A third of the operations go to the few hot objects (when any is a candidate), so that
      // generations of one object meet in flight: waits, supersessions, takeovers.
      List<String> hot = names.stream().filter(n -> HOT.contains(n)).toList();
      if (pick % 3 == 0 && !hot.isEmpty()) {
        names = hot;
      }
      op = create ? Op.CREATE : wanted == Op.CREATE ? Op.OVERWRITE : wanted;
      name = names.get(pick / 3 % names.size());
    }
    Path file = bucket.resolve(name);
    if (op == Op.DELETE) {
      try {
        Files.delete(file);
      } catch (NoSuchFileException e) {
        // Nothing to delete: still counted as done.
      }
      synchronized (this) {
        present.remove(name);
      }
    } else {
      int version;
      synchronized (this) {
        version = versions.merge(name, 1, Integer::sum);
      }
      byte[] content = content(name, version, new Random(contentSeed));
      synchronized (this) {
        contentByMd5.put(md5(content), content);
      }
      writeAtomically(file, content);
      synchronized (this) {
        present.add(name);
      }
    }
    count(op);
  }

  /** The content written with MD5 {@code md5Hash} (base64), or null if this never wrote it. */
  synchronized byte @Nullable [] content(String md5Hash) {
    return contentByMd5.get(md5Hash);
  }

  /** The names whose file is in the bucket now. */
  synchronized TreeSet<String> present() {
    return new TreeSet<>(present);
  }

  synchronized Map<Op, Long> done() {
    return new EnumMap<>(done);
  }

  synchronized long duplicatesMissed() {
    return duplicatesMissed;
  }

  Path bucket() {
    return bucket;
  }

  private synchronized void count(Op op) {
    done.merge(op, 1L, Long::sum);
  }

  /** Object names: a third of them in folders, as names with slashes are common. */
  static String name(int i) {
    String leaf = String.format("obj-%03d.txt", i);
    return i % 3 == 0 ? "nested/dir-" + (i % 2) + "/" + leaf : leaf;
  }

  /**
   * Text lines of 60 to 2,400 bytes that name the object and version (so every content is
   * distinct), with {@code AWS} tokens at line starts, ends and middles, and a line that only looks
   * like one ({@code aws}).
   */
  private static byte[] content(String name, int version, Random lines) {
    int count = 1 + lines.nextInt(40);
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < count; line++) {
      switch (lines.nextInt(4)) {
        case 0 -> text.append("AWS ").append(name).append(" v").append(version);
        case 1 -> text.append(name).append(" version ").append(version).append(" on AWS");
        case 2 -> text.append("AWSAWS in the middle of ").append(name).append(" aws");
        default -> text.append("plain line ").append(line).append(" of ").append(name);
      }
      text.append(" #").append(version).append('.').append(line).append('\n');
    }
    return text.toString().getBytes(US_ASCII);
  }

  /** Base64 of the content's MD5, as a notification's {@code md5Hash}. */
  static String md5(byte[] content) {
    return Base64.getEncoder().encodeToString(ContentChecksums.digest("MD5").digest(content));
  }

  /**
   * Writes beside the bucket folder (outside every bucket), then moves into place: the notifier
   * never sees a file half-written.
   */
  private void writeAtomically(Path target, byte[] content) throws IOException {
    Files.createDirectories(target.getParent());
    Path temporary = staging.resolve(".soak-" + System.nanoTime() + ".tmp");
    try {
      Files.write(temporary, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
