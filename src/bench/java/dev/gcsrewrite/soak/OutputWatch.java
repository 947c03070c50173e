package dev.gcsrewrite.soak;

import dev.gcsrewrite.soak.NotifiedGenerations.Generation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Watches the outputs while the soak runs: every few seconds it reads each object's output and
 * tells which generation's rewrite it holds. An output only moves to newer generations; one seen
 * holding an older generation than it held before is recorded, even if it is put right later (the
 * check at the end sees only where outputs ended).
 */
final class OutputWatch {
  private final Path processed;
  private final String suffix;
  private final NotifiedGenerations notified;
  private final Workload workload;
  // Object name -> MD5 of a generation's rewrite -> that generation.
  private final Map<String, Map<String, Long>> byRewriteMd5 = new HashMap<>();
  private final Map<String, Long> newestSeen = new HashMap<>();
  private final Map<String, Instant> newestSeenAt = new HashMap<>();
  private final List<String> backward = new ArrayList<>();
  private long samples;

  OutputWatch(Path processed, String suffix, NotifiedGenerations notified, Workload workload) {
    this.processed = processed;
    this.suffix = suffix;
    this.notified = notified;
    this.workload = workload;
  }

  /** Reads every output once. */
  void sample() throws IOException {
    Instant now = Instant.now();
    for (Map.Entry<String, NavigableMap<Long, Generation>> object : notified.all().entrySet()) {
      String name = object.getKey();
      byte[] output;
      try {
        output = Files.readAllBytes(processed.resolve(name + suffix));
      } catch (NoSuchFileException e) {
        continue;
      }
      if (output.length == 0) {
        continue;
      }
      Long generation = generation(name, object.getValue(), Workload.md5(output));
      if (generation == null) {
        continue;
      }
      samples++;
      Long newest = newestSeen.get(name);
      if (newest == null || generation > newest) {
        newestSeen.put(name, generation);
        newestSeenAt.put(name, now);
      } else if (generation < newest) {
        backward.add(
            name
                + ": its output held generation "
                + generation
                + " at "
                + now
                + ", after generation "
                + newest
                + " (seen at "
                + newestSeenAt.get(name)
                + ")");
        // Recorded once per move: the newer one is expected back.
        newestSeen.put(name, generation);
        newestSeenAt.put(name, now);
      }
    }
  }

  /** The backward moves seen, one line each. */
  List<String> backward() {
    return List.copyOf(backward);
  }

  long samples() {
    return samples;
  }

  /** The generation whose rewrite has MD5 {@code md5}, or null if none of the object's has. */
  private @Nullable Long generation(
      String name, NavigableMap<Long, Generation> generations, String md5) {
    Map<String, Long> rewrites = byRewriteMd5.computeIfAbsent(name, n -> new HashMap<>());
    for (Generation g : generations.values()) {
      if (!rewrites.containsValue(g.generation())) {
        byte[] source = workload.content(g.md5Hash());
        if (source != null) {
          rewrites.put(Workload.md5(rewrite(source)), g.generation());
        }
      }
    }
    return rewrites.get(md5);
  }

  static byte[] rewrite(byte[] source) {
    return new String(source, StandardCharsets.US_ASCII)
        .replace("AWS", "GCP")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
