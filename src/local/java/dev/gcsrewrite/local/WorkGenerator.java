package dev.gcsrewrite.local;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes the tutorial's workload into a bucket folder: {@code count} objects named {@code work001},
 * {@code work002}, ... of at most {@value #MAX_OBJECT_BYTES} bytes of base64 text lines carrying
 * tokens to rewrite ({@code AWS} a few times in each, {@code Amazon} in about a third).
 *
 * <p>It exists so that a local run has realistic work without anyone preparing files, the same work
 * for the same seed so runs can be compared. Each file is written under a hidden temporary name in
 * the bucket root, beside the bucket folder (outside every bucket, on the same file system), then
 * moved into the bucket atomically: a watcher of the bucket never sees a file half-written, or
 * under any name but its own. Writing the workload again replaces the files, a new generation each.
 */
public final class WorkGenerator {
  public static final int DEFAULT_COUNT = 99;
  public static final int MAX_OBJECT_BYTES = 2048;
  public static final List<String> TOKENS = List.of("AWS", "Amazon");

  /** MIME's line length: every line but the last is 76 characters and a line feed. */
  private static final int LINE_CHARS = 76;

  // 1512 random bytes are 2016 base64 characters in 27 lines: 2043 bytes with line feeds.
  private static final int MIN_RANDOM_BYTES = 768;
  private static final int MAX_RANDOM_BYTES = 1512;

  private WorkGenerator() {}

  /**
   * One object written: its name, file, size, and how often each of {@link #TOKENS} occurs in it
   * (counted in the written content, so a token that random base64 happened to spell is counted
   * too, as the rewriter will find it), and whether this call wrote it (false: {@link
   * #writeMissing} found it with its content).
   */
  public record WorkObject(
      String name, Path path, int size, Map<String, Integer> tokens, boolean written) {
    public WorkObject {
      tokens = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
    }

    /** All tokens in the object, whatever their kind. */
    public int tokenCount() {
      return tokens.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Writes objects {@code 1..count} into {@code bucketFolder} (created if needed), replacing any of
   * the same name, and returns them in name order.
   *
   * @param seed the same seed writes the same content
   */
  public static List<WorkObject> write(Path bucketFolder, int count, long seed) throws IOException {
    return write(bucketFolder, count, seed, false);
  }

  /**
   * Writes what {@link #write} writes, but leaves a file that already has its content alone (no new
   * generation): a run recovering a killed one completes the workload the killed one began.
   */
  public static List<WorkObject> writeMissing(Path bucketFolder, int count, long seed)
      throws IOException {
    return write(bucketFolder, count, seed, true);
  }

  private static List<WorkObject> write(Path bucketFolder, int count, long seed, boolean keepSame)
      throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, not " + count);
    }
    Path bucket = bucketFolder.toAbsolutePath();
    Path staging = bucket.getParent();
    if (staging == null) {
      throw new IllegalArgumentException(bucketFolder + " has no parent for temporary files");
    }
    Files.createDirectories(bucket);
    List<WorkObject> written = new ArrayList<>(count);
    for (int number = 1; number <= count; number++) {
      String name = objectName(number, count);
      byte[] content = content(number, seed);
      Path target = bucket.resolve(name);
      boolean write = !keepSame || !hasContent(target, content);
      if (write) {
        writeAtomically(staging, target, content);
      }
      written.add(new WorkObject(name, target, content.length, countTokens(content), write));
    }
    return written;
  }

  /** {@code work} and the number, three digits or as many as {@code count} needs. */
  public static String objectName(int number, int count) {
    int digits = Math.max(3, Integer.toString(count).length());
    return String.format("work%0" + digits + "d", number);
  }

  /** The content of object {@code number}: its own random stream, whatever the count. */
  static byte[] content(int number, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ (number * 0x9E3779B97F4A7C15L));
    byte[] raw = new byte[random.nextInt(MIN_RANDOM_BYTES, MAX_RANDOM_BYTES + 1)];
    random.nextBytes(raw);
    byte[] text = Base64.getMimeEncoder(LINE_CHARS, new byte[] {'\n'}).encode(raw);
    byte[] content = new byte[text.length + 1];
    System.arraycopy(text, 0, content, 0, text.length);
    content[text.length] = '\n';

    int fullLines = (text.length + 1) / (LINE_CHARS + 1);
    List<String> planted = new ArrayList<>();
    for (int i = 1 + random.nextInt(4); i > 0; i--) {
      planted.add("AWS");
    }
    if (random.nextInt(3) == 0) {
      planted.add("Amazon");
    }
    // One token per line, on distinct full lines, so tokens never overlap or cross a line feed.
    List<Integer> lines = new ArrayList<>();
    for (int line = 0; line < fullLines; line++) {
      lines.add(line);
    }
    for (String token : planted) {
      int line = lines.remove(random.nextInt(lines.size()));
      int at = line * (LINE_CHARS + 1) + random.nextInt(LINE_CHARS - token.length() + 1);
      System.arraycopy(token.getBytes(US_ASCII), 0, content, at, token.length());
    }
    return content;
  }

  private static Map<String, Integer> countTokens(byte[] content) {
    String text = new String(content, US_ASCII);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String token : TOKENS) {
      int count = 0;
      for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length())) {
        count++;
      }
      counts.put(token, count);
    }
    return counts;
  }

  private static boolean hasContent(Path file, byte[] content) throws IOException {
    try {
      return Files.size(file) == content.length && Arrays.equals(Files.readAllBytes(file), content);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static void writeAtomically(Path staging, Path target, byte[] content)
      throws IOException {
    // Not Files.createTempFile: its files are private to the owner, and the object would keep
    // that after the move, unlike any other file put in the bucket.
    Path temporary =
        staging.resolve(
            "."
                + target.getFileName()
                + "."
                + ProcessHandle.current().pid()
                + "-"
                + System.nanoTime()
                + ".tmp");
    try {
      Files.write(temporary, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
