package dev.gcsrewrite.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * What a local run did, checked: every generated file has its output and the output is the source
 * with {@code AWS} rewritten to {@code GCP} (checked with a plain string replace, independent of
 * the pipeline's rewriter; skipped when other rules were given), one complete event per file, one
 * dead letter per bad message. A run that recovered a killed one expects no event for a file the
 * killed run announced (Redis says so), and exactly one for every other file.
 */
final class LocalRunSummary {
  private final List<String> lines;
  private final boolean ok;

  private LocalRunSummary(List<String> lines, boolean ok) {
    this.lines = lines;
    this.ok = ok;
  }

  static LocalRunSummary of(
      LocalStackLayout layout,
      ProgressMonitor monitor,
      List<WorkGenerator.WorkObject> files,
      Set<String> expected,
      boolean customRules,
      String outputSuffix)
      throws IOException {
    int outputs = 0;
    int matching = 0;
    for (WorkGenerator.WorkObject file : files) {
      Path output = layout.processed().resolve(file.name() + outputSuffix);
      if (Files.isRegularFile(output)) {
        outputs++;
        String source = Files.readString(file.path(), StandardCharsets.UTF_8);
        if (Files.readString(output, StandardCharsets.UTF_8).equals(source.replace("AWS", "GCP"))) {
          matching++;
        }
      }
    }
    Map<String, Integer> deadLetterTypes = new TreeMap<>();
    for (PubsubMessage deadLetter : monitor.deadLetters()) {
      deadLetterTypes.merge(String.valueOf(deadLetter.getAttribute("errorType")), 1, Integer::sum);
    }
    long distinct = monitor.distinctCompleted();
    boolean outputsOk = outputs == files.size() && (customRules || matching == files.size());
    boolean ok =
        outputsOk && distinct == expected.size() && monitor.completedObjects().equals(expected);
    int announcedBefore = files.size() - expected.size();
    String example =
        monitor.completeEvents().isEmpty()
            ? "(none)"
            : new String(monitor.completeEvents().get(0).getPayload(), StandardCharsets.UTF_8);
    List<String> lines =
        List.of(
            "",
            "Summary (" + monitor.elapsed().toSeconds() + " s)",
            String.format(
                "  work bucket       %s: %d files generated", layout.workBucket(), files.size()),
            String.format("  processed bucket  %s: %d outputs", layout.processed(), outputs),
            String.format(
                "  pipeline          received %d notifications, claimed %d, wrote %d, dropped %d"
                    + " duplicates, dead-lettered %d, made %d replacements",
                monitor.counter("notificationsReceived"),
                monitor.counter("claimed"),
                monitor.counter("objectsCompleted"),
                monitor.counter("duplicates"),
                monitor.counter("deadLettered"),
                monitor.counter("replacements")),
            String.format(
                "  complete topic    %d events for %d distinct generations; processing topic %d"
                    + " events%s",
                monitor.completeEvents().size(),
                distinct,
                monitor.processingEvents(),
                announcedBefore == 0
                    ? ""
                    : String.format(
                        "%n                    (and %d files announced by the run recovered)",
                        announcedBefore)),
            "  e.g.              " + example,
            "  latency           notification to complete: "
                + Latencies.ofCompleteEvents(monitor.completeEvents()).describe(),
            String.format(
                "  dead letters      %d: %s", monitor.deadLetters().size(), deadLetterTypes),
            customRules
                ? "  outputs check     skipped: custom --rewriteRules"
                : String.format(
                    "  outputs check     %d of %d outputs equal their source with AWS -> GCP",
                    matching, files.size()),
            ok
                ? "  result            OK: every file processed exactly once"
                : "  result            NOT OK");
    return new LocalRunSummary(lines, ok);
  }

  boolean ok() {
    return ok;
  }

  void print(PrintStream out) {
    lines.forEach(out::println);
  }
}
