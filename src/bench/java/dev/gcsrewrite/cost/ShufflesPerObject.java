package dev.gcsrewrite.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.deploy.DataflowTranslationTest;
import dev.gcsrewrite.deploy.OfflineTranslation;
import dev.gcsrewrite.local.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Prints the shuffles an object's elements cross in the job Dataflow would run: the real pipeline
 * translated offline by the Dataflow runner (as {@link DataflowTranslationTest} does it, with the
 * same options), then every keyed exchange of the translated steps: each {@code GroupByKey} step,
 * and each step that {@code uses_keyed_state} (a stateful DoFn, before which Dataflow partitions
 * the input by key). For each it says whether every path from the read to the written object's
 * description ({@code WriteProcessedObjects/DescribeOutputs}) crosses it, i.e. whether every object
 * that gets an output pays for it, or only some (e.g. a generation waiting for a lease).
 *
 * <p>Not a test: run it with {@code mvn -B -q test-compile exec:exec@shuffles-per-object}.
 */
public final class ShufflesPerObject {
  private static final String READ = "ReadNotifications/PubsubUnboundedSource";
  private static final String WRITTEN = "WriteProcessedObjects/DescribeOutputs";

  private ShufflesPerObject() {}

  /** One translated step: its id ({@code s12}), kind, name, and the steps it reads from. */
  private record Step(
      String id, String kind, String name, boolean keyedState, List<String> inputs) {
    boolean isShuffle() {
      return kind.equals("GroupByKey") || keyedState;
    }
  }

  public static void main(String[] args) throws Exception {
    perWrittenObject(System.out);
  }

  /**
   * Translates the job, prints its keyed exchanges to {@code out}, and returns how many of them
   * every written object crosses.
   */
  static int perWrittenObject(java.io.PrintStream out) throws Exception {
    Path folder = Files.createTempDirectory("shuffles-per-object-");
    try {
      Map<String, Step> steps = translate(folder);
      String read = idOf(steps, READ);
      String written = idOf(steps, WRITTEN);
      out.println(
          "keyed exchanges (GroupByKey steps and steps with keyed state) of the translated job,"
              + " in graph order:");
      int always = 0;
      int sometimes = 0;
      for (Step step : steps.values()) {
        if (!step.isShuffle()) {
          continue;
        }
        boolean onTheWay =
            reachable(steps, read, step.id(), Set.of())
                && reachable(steps, step.id(), written, Set.of());
        boolean everyPath = !reachable(steps, read, written, Set.of(step.id()));
        String crossed =
            everyPath
                ? "every written object"
                : onTheWay ? "some objects only" : "not on a written object's path";
        if (everyPath) {
          always++;
        } else if (onTheWay) {
          sometimes++;
        }
        out.printf(
            "  %-4s %-18s %-40s %s%n",
            step.id(), step.keyedState() ? "stateful ParDo" : step.kind(), crossed, step.name());
      }
      out.printf(
          "shuffles per written object: %d (plus %d that only some objects cross)%n",
          always, sometimes);
      return always;
    } finally {
      Folders.deleteTree(folder);
    }
  }

  /** The job's steps by id, in the order of the job file, from an offline translation. */
  private static Map<String, Step> translate(Path folder) throws Exception {
    Path template = folder.resolve("template.json");
    Path staging = Files.createDirectories(folder.resolve("staging"));
    Path jar = Files.createFile(folder.resolve("gcs-rewrite-bundled.jar"));
    List<String> args =
        OfflineTranslation.options(staging, template, jar, "gcs-rewrite-translation");
    args.add(OfflineTranslation.INPUT_SUBSCRIPTION);
    GcsRewriteOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class);
    GcsRewritePipeline.run(options);
    Map<String, Step> steps = new LinkedHashMap<>();
    for (JsonNode step : new ObjectMapper().readTree(template.toFile()).get("steps")) {
      JsonNode properties = step.get("properties");
      List<String> inputs = new ArrayList<>();
      if (properties.has("parallel_input")) {
        inputs.add(properties.get("parallel_input").get("step_name").asText());
      }
      for (JsonNode input : properties.path("inputs")) {
        inputs.add(input.get("step_name").asText());
      }
      String id = step.get("name").asText();
      steps.put(
          id,
          new Step(
              id,
              step.get("kind").asText(),
              properties.path("user_name").path("value").asText(),
              properties.has("uses_keyed_state"),
              inputs));
    }
    return steps;
  }

  private static String idOf(Map<String, Step> steps, String name) {
    return steps.values().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no step " + name))
        .id();
  }

  /** Whether {@code to} is reachable from {@code from} along the steps' inputs, avoiding some. */
  private static boolean reachable(
      Map<String, Step> steps, String from, String to, Set<String> avoiding) {
    Map<String, List<String>> readers = new LinkedHashMap<>();
    for (Step step : steps.values()) {
      for (String input : step.inputs()) {
        readers.computeIfAbsent(input, k -> new ArrayList<>()).add(step.id());
      }
    }
    Deque<String> queue = new ArrayDeque<>(List.of(from));
    Set<String> seen = new HashSet<>(queue);
    while (!queue.isEmpty()) {
      String step = queue.poll();
      if (step.equals(to)) {
        return true;
      }
      for (String reader : readers.getOrDefault(step, List.of())) {
        if (!avoiding.contains(reader) && seen.add(reader)) {
          queue.add(reader);
        }
      }
    }
    return false;
  }
}
