package dev.gcsrewrite.benchmark.measure;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a flight recording's CPU samples ({@code jdk.ExecutionSample}: Java threads caught running
 * Java code) were: the methods on top of the stack (self), the methods anywhere on it (inclusive,
 * each once per sample), a few named parts of the runner and the pipeline, and the threads. JFR
 * cuts stacks at 64 frames by default, so an inclusive share can be a little low for deep stacks.
 *
 * <p>Run alone on any recording: {@code java -cp <test class path>
 * dev.gcsrewrite.benchmark.JfrHotSpots file.jfr [top]}.
 */
public final class JfrHotSpots {
  /** Named parts: a sample belongs to a part when its stack (top frame first) matches. */
  private static final Map<String, Predicate<List<String>>> PARTS = new LinkedHashMap<>();

  static {
    part(
        "DirectRunner: a ParDo evaluator made per bundle (ParDoEvaluatorFactory.forApplication)",
        "org.apache.beam.runners.direct.ParDoEvaluatorFactory.forApplication");
    part(
        "  of which: the ParDo translated to its proto (ParDoTranslation.getParDoPayload)",
        "org.apache.beam.sdk.util.construction.ParDoTranslation.getParDoPayload");
    part(
        "  of which: the DoFn deserialised (SerializableUtils.deserializeFromByteArray)",
        "org.apache.beam.sdk.util.SerializableUtils.deserializeFromByteArray");
    part(
        "DirectRunner: immutability enforcement (ImmutabilityEnforcementFactory,"
            + " ImmutabilityCheckingBundleFactory)",
        "org.apache.beam.runners.direct.ImmutabilityEnforcementFactory",
        "org.apache.beam.runners.direct.ImmutabilityCheckingBundleFactory");
    part(
        "  of which: the whole pipeline graph walked (Pipeline.traverseTopologically)",
        "org.apache.beam.sdk.Pipeline.traverseTopologically");
    part(
        "DirectRunner: encodability enforcement (CloningBundleFactory: every element encoded and"
            + " decoded)",
        "org.apache.beam.runners.direct.CloningBundleFactory");
    part(
        "DirectRunner: watermark bookkeeping (WatermarkManager)",
        "org.apache.beam.runners.direct.WatermarkManager");
    part(
        "SerializableUtils (DoFns and sinks serialised or cloned)",
        "org.apache.beam.sdk.util.SerializableUtils.");
    part(
        "Beam coders (org.apache.beam.sdk.coders, CoderUtils)",
        "org.apache.beam.sdk.coders.",
        "org.apache.beam.sdk.util.CoderUtils.");
    part(
        "Beam's Pub/Sub I/O (org.apache.beam.sdk.io.gcp.pubsub)",
        "org.apache.beam.sdk.io.gcp.pubsub.");
    part(
        "FileIO / WriteFiles / FileBasedSink",
        "org.apache.beam.sdk.io.WriteFiles",
        "org.apache.beam.sdk.io.FileBasedSink",
        "org.apache.beam.sdk.io.FileIO");
    PARTS.put(
        "gcs-rewrite's coders (encode, decode: called by the runner to copy, check, shuffle)",
        frames -> pipelineFrame(frames).map(f -> f.contains("Coder")).orElse(false));
    PARTS.put(
        "gcs-rewrite's own work (its DoFns and what they call, short of the runner; no coders)",
        frames -> ownWork(frames) && !pipelineFrame(frames).get().contains("Coder"));
    PARTS.put(
        "the benchmark itself (publishing, watching topics, measuring)",
        frames -> frames.stream().anyMatch(JfrHotSpots::isHarness));
    part("Redis client (redis.clients)", "redis.clients.");
    part("java.util.logging", "java.util.logging.");
    part("Jackson (JSON)", "com.fasterxml.jackson.");
  }

  private static void part(String name, String... prefixes) {
    PARTS.put(
        name,
        frames ->
            frames.stream().anyMatch(f -> List.of(prefixes).stream().anyMatch(f::startsWith)));
  }

  /**
   * Whether the sample is in the pipeline's own code, or in what it calls (a library, the JDK), but
   * not in the runner's work that an output triggers (a DoFn's output is checked and copied by the
   * DirectRunner inside the DoFn's call).
   */
  private static boolean ownWork(List<String> frames) {
    for (String frame : frames) {
      if (frame.startsWith("dev.gcsrewrite.") && !isHarness(frame)) {
        return true;
      }
      if (frame.startsWith("org.apache.beam.runners.direct.") || isHarness(frame)) {
        return false;
      }
    }
    return false;
  }

  /** The pipeline's frame nearest the top of the stack, the benchmark's own left out. */
  private static Optional<String> pipelineFrame(List<String> frames) {
    return frames.stream()
        .filter(f -> f.startsWith("dev.gcsrewrite.") && !isHarness(f))
        .findFirst();
  }

  /** Code of the benchmark and the local stack's tools it uses, not of the pipeline. */
  private static boolean isHarness(String frame) {
    return frame.startsWith("dev.gcsrewrite.benchmark.")
        || frame.startsWith("dev.gcsrewrite.local.");
  }

  private JfrHotSpots() {}

  public static void main(String[] args) throws IOException {
    print(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25, System.out);
  }

  /** Prints the summary of {@code recording}'s execution samples, {@code top} lines a list. */
  public static void print(Path recording, int top, PrintStream out) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> parts = new LinkedHashMap<>();
    PARTS.keySet().forEach(p -> parts.put(p, 0));
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1, Integer::sum);
      List<String> names = frames.stream().map(JfrHotSpots::name).toList();
      new HashSet<>(names).forEach(m -> inclusive.merge(m, 1, Integer::sum));
      for (Map.Entry<String, Predicate<List<String>>> part : PARTS.entrySet()) {
        if (part.getValue().test(names)) {
          parts.merge(part.getKey(), 1, Integer::sum);
        }
      }
      var thread = event.getThread("sampledThread");
      String threadName = thread == null ? "?" : thread.getJavaName();
      threads.merge(threadName.replaceAll("[0-9]+", "N"), 1, Integer::sum);
    }
    out.printf(Locale.ROOT, "JFR execution samples: %d in %s%n", samples, recording);
    if (samples == 0) {
      return;
    }
    out.println("\nshare of samples by part (a sample counts for every part on its stack):");
    for (Map.Entry<String, Integer> part : parts.entrySet()) {
      out.printf(
          Locale.ROOT,
          "  %5.1f%%  %6d  %s%n",
          100.0 * part.getValue() / samples,
          part.getValue(),
          part.getKey());
    }
    out.println("\ntop methods on top of the stack (self):");
    list(self, samples, top, out);
    out.println(
        "\ntop methods anywhere on the stack (inclusive), thread and executor frames left out:");
    Map<String, Integer> interesting = new HashMap<>(inclusive);
    interesting
        .keySet()
        .removeIf(m -> m.startsWith("java.lang.Thread.") || m.startsWith("java.util.concurrent."));
    list(interesting, samples, top, out);
    out.println("\nthreads (digits as N):");
    list(threads, samples, 10, out);
  }

  private static void list(Map<String, Integer> counts, int samples, int top, PrintStream out) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                out.printf(
                    Locale.ROOT,
                    "  %5.1f%%  %6d  %s%n",
                    100.0 * e.getValue() / samples,
                    e.getValue(),
                    e.getKey()));
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    return method == null ? "?" : method.getType().getName() + "." + method.getName();
  }
}
