package dev.gcsrewrite.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
  /** Named parts: a sample belongs to a part when any frame of its stack matches. */
  private static final Map<String, Predicate<String>> PARTS = new LinkedHashMap<>();

  static {
    PARTS.put(
        "DirectRunner: a ParDo evaluator made per bundle (ParDoEvaluator.create)",
        m -> m.startsWith("org.apache.beam.runners.direct.ParDoEvaluator.create"));
    PARTS.put(
        "DoFn (de)serialised: SerializableUtils.deserializeFromByteArray/clone",
        m ->
            m.startsWith("org.apache.beam.sdk.util.SerializableUtils.deserializeFromByteArray")
                || m.startsWith("org.apache.beam.sdk.util.SerializableUtils.clone"));
    PARTS.put(
        "DirectRunner: immutability enforcement (ImmutabilityEnforcementFactory,"
            + " ImmutabilityCheckingBundleFactory)",
        m ->
            m.startsWith("org.apache.beam.runners.direct.ImmutabilityEnforcementFactory")
                || m.startsWith(
                    "org.apache.beam.runners.direct.ImmutabilityCheckingBundleFactory"));
    PARTS.put(
        "DirectRunner: encodability enforcement",
        m -> m.startsWith("org.apache.beam.runners.direct.EncodabilityEnforcementFactory"));
    PARTS.put(
        "DirectRunner: watermark bookkeeping (WatermarkManager)",
        m -> m.startsWith("org.apache.beam.runners.direct.WatermarkManager"));
    PARTS.put("gcs-rewrite's own code (dev.gcsrewrite)", m -> m.startsWith("dev.gcsrewrite."));
    PARTS.put("Redis client (redis.clients)", m -> m.startsWith("redis.clients."));
    PARTS.put(
        "Beam's Pub/Sub I/O (org.apache.beam.sdk.io.gcp.pubsub)",
        m -> m.startsWith("org.apache.beam.sdk.io.gcp.pubsub."));
    PARTS.put(
        "FileIO / WriteFiles / FileBasedSink",
        m ->
            m.startsWith("org.apache.beam.sdk.io.WriteFiles")
                || m.startsWith("org.apache.beam.sdk.io.FileBasedSink")
                || m.startsWith("org.apache.beam.sdk.io.FileIO"));
    PARTS.put(
        "Beam coders (org.apache.beam.sdk.coders, CoderUtils)",
        m ->
            m.startsWith("org.apache.beam.sdk.coders.")
                || m.startsWith("org.apache.beam.sdk.util.CoderUtils."));
    PARTS.put("java.util.logging", m -> m.startsWith("java.util.logging."));
    PARTS.put("Jackson (JSON)", m -> m.startsWith("com.fasterxml.jackson."));
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
      Set<String> methods = new HashSet<>();
      for (RecordedFrame frame : frames) {
        methods.add(name(frame));
      }
      methods.forEach(m -> inclusive.merge(m, 1, Integer::sum));
      for (Map.Entry<String, Predicate<String>> part : PARTS.entrySet()) {
        if (methods.stream().anyMatch(part.getValue())) {
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
    list(parts, samples, Integer.MAX_VALUE, out);
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
