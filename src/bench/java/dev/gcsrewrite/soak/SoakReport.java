package dev.gcsrewrite.soak;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The soak's table, in Markdown: what was injected, what was done, what was checked, and found. */
final class SoakReport {
  private SoakReport() {}

  static String table(
      SoakArgs args,
      long workloadSeconds,
      long drainSeconds,
      Faults faults,
      Workload workload,
      NotifiedGenerations notified,
      Pipelines pipelines,
      InvariantChecker.Findings findings) {
    Map<String, Long> f = findings.figures();
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Soak of %s: seed %d, %.1f min of workload (%d s with the start), drained in %d s;"
                + " %d object names, %.1f operations/s, lease %d s%s%n%n",
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            args.seed(),
            args.workload().toMillis() / 60_000.0,
            workloadSeconds,
            drainSeconds,
            args.objects(),
            args.opsPerSecond(),
            args.claimLease().toSeconds(),
            args.versioned() ? ", versioned bucket" : ""));
    out.append("Faults, in order:\n\n");
    for (Faults.Injected fault : faults.injected()) {
      out.append(
          String.format(
              Locale.ROOT,
              "- %4d s  %s: %s%n",
              fault.atSeconds(),
              fault.kind().flag(),
              fault.detail()));
    }
    if (faults.injected().isEmpty()) {
      out.append("- none\n");
    }
    out.append('\n');
    out.append("| what | found |\n| --- | --- |\n");
    for (Map.Entry<FaultKind, Long> kind : faults.counts().entrySet()) {
      row(out, "fault: " + kind.getKey().description(), Long.toString(kind.getValue()));
    }
    Map<Workload.Op, Long> done = workload.done();
    row(
        out,
        "workload operations",
        String.format(
            Locale.ROOT,
            "%d creates, %d overwrites, %d deletes, %d duplicate notifications, %d hostile messages"
                + " (and one of each of the %d kinds at the start)",
            done.getOrDefault(Workload.Op.CREATE, 0L),
            done.getOrDefault(Workload.Op.OVERWRITE, 0L),
            done.getOrDefault(Workload.Op.DELETE, 0L),
            done.getOrDefault(Workload.Op.DUPLICATE, 0L),
            done.getOrDefault(Workload.Op.HOSTILE, 0L),
            HostileMessages.KINDS.size()));
    row(
        out,
        "objects and generations",
        String.format(
            Locale.ROOT,
            "%d objects, %d generations notified (%d notification messages: finalizes, their"
                + " duplicates, %d deletes)",
            get(f, "objects"),
            get(f, "generations"),
            notified.messages(),
            notified.deletes()));
    row(out, "generations' outcomes", outcomes(f));
    row(
        out,
        "outputs checked",
        String.format(
            Locale.ROOT,
            "%d outputs found, %d equal to the rewrite of their object's newest completed"
                + " generation; while running, %d readings of outputs, %d of them an older"
                + " generation than read before",
            get(f, "outputs.found"),
            get(f, "outputs.right"),
            get(f, "outputs.samples"),
            get(f, "outputs.backward")));
    row(
        out,
        "events",
        String.format(
            Locale.ROOT,
            "complete %d distinct (%d messages), skipped %d distinct (%d messages), processing %d"
                + " distinct (%d messages); generations with both a complete and a skipped event %d",
            get(f, "events.complete.distinct"),
            get(f, "events.complete.messages"),
            get(f, "events.skipped.distinct"),
            get(f, "events.skipped.messages"),
            get(f, "events.processing.distinct"),
            get(f, "events.processing.messages"),
            get(f, "generations.withBothCompleteAndSkipped")));
    row(out, "dead letters", deadLetters(f));
    row(
        out,
        "pipelines",
        String.format(
            Locale.ROOT,
            "%d JVMs started, %d reconcile runs; ended on their own: %d; reconciles failed: %d",
            pipelines.started(),
            pipelines.reconciles(),
            pipelines.unexpectedExits().size(),
            pipelines.failedReconciles().size()));
    if (!faults.beforeRestarts().isEmpty()) {
      row(
          out,
          "Redis restarted empty",
          String.format(
              Locale.ROOT,
              "%d generation records read before the restarts; %d generations known only from those",
              faults.beforeRestarts().stream().mapToInt(r -> r.generations().size()).sum(),
              get(f, "records.forgottenByRedisRestarts")));
    }
    row(out, "**violations**", "**" + findings.violations().size() + "**");
    out.append('\n');
    for (String violation : findings.violations()) {
      out.append("- ").append(violation).append('\n');
    }
    if (findings.violations().isEmpty()) {
      out.append("No violation.\n");
    }
    if (!findings.notes().isEmpty()) {
      out.append("\nNotes (no invariant forbids these):\n\n");
      for (String note : findings.notes()) {
        out.append("- ").append(note).append('\n');
      }
    }
    return out.toString();
  }

  private static String outcomes(Map<String, Long> f) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Long> figure : new TreeMap<>(f).entrySet()) {
      if (figure.getKey().startsWith("outcome.")) {
        parts.add(figure.getKey().substring("outcome.".length()) + " " + figure.getValue());
      }
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String deadLetters(Map<String, Long> f) {
    List<String> hostile = new ArrayList<>();
    for (Map.Entry<String, Long> figure : new TreeMap<>(f).entrySet()) {
      if (figure.getKey().startsWith("deadLetters.hostile.")) {
        hostile.add(
            figure.getKey().substring("deadLetters.hostile.".length()) + " " + figure.getValue());
      }
    }
    return String.format(
        Locale.ROOT,
        "%d messages: from hostile inputs %s (%d of %d hostile messages dead-lettered%s); other %d",
        get(f, "deadLetters.messages"),
        hostile.isEmpty() ? "none" : "{" + String.join(", ", hostile) + "}",
        get(f, "hostile.deadLettered"),
        get(f, "hostile.published"),
        get(f, "deadLetters.hostileOfAnotherType") > 0
            ? ", "
                + get(f, "deadLetters.hostileOfAnotherType")
                + " with another errorType than meant"
            : "",
        get(f, "deadLetters.other"));
  }

  private static long get(Map<String, Long> figures, String name) {
    return figures.getOrDefault(name, 0L);
  }

  private static void row(StringBuilder out, String what, String found) {
    out.append("| ").append(what).append(" | ").append(found.replace("|", "\\|")).append(" |\n");
  }
}
