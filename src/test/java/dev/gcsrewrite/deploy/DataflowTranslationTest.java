package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The real pipeline translated by the Dataflow runner's own translator, without any network: the
 * classic-template route writes the job Dataflow would receive to a local file (staging to a local
 * folder), and the tests read it: a streaming job, the service's native Pub/Sub read and writes,
 * the stateful steps, and step names that match the documented list, which is what lets a running
 * job be updated in place.
 */
public class DataflowTranslationTest {
  @ClassRule public static final TemporaryFolder FOLDER = new TemporaryFolder();

  private static JsonNode job;
  private static List<Step> steps;

  @BeforeClass
  public static void translate() throws Exception {
    File template = FOLDER.newFile("template.json");
    List<String> args =
        OfflineTranslation.options(
            FOLDER.newFolder("staging").toPath(),
            template.toPath(),
            FOLDER.newFile("gcs-rewrite-bundled.jar").toPath(),
            "gcs-rewrite-translation");
    args.add(OfflineTranslation.INPUT_SUBSCRIPTION);
    GcsRewriteOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class);
    GcsRewritePipeline.run(options);
    job = new ObjectMapper().readTree(template);
    steps = new ArrayList<>();
    for (JsonNode step : job.get("steps")) {
      steps.add(new Step(step.get("kind").asText(), step.get("properties")));
    }
  }

  @Test
  public void theJobIsAStreamingJob() {
    assertEquals("JOB_TYPE_STREAMING", job.get("type").asText());
    assertEquals(
        "gcs-rewrite-translation",
        job.at("/environment/sdkPipelineOptions/options/jobName").asText());
  }

  @Test
  public void workersLogFileIoPerFileDetailOnlyAtWarning() {
    JsonNode overrides =
        job.at("/environment/sdkPipelineOptions/options/sdkHarnessLogLevelOverrides");
    assertEquals("WARN", overrides.path("org.apache.beam.sdk.io.WriteFiles").asText());
    assertEquals("WARN", overrides.path("org.apache.beam.sdk.io.FileBasedSink").asText());
  }

  @Test
  public void notificationsAreReadWithTheServicesNativePubsubSource() {
    List<Step> reads = kind("ParallelRead");
    assertEquals(1, reads.size());
    Step read = reads.get(0);
    assertEquals("ReadNotifications/PubsubUnboundedSource", read.userName());
    assertEquals("pubsub", read.text("format"));
    assertEquals("/subscriptions/test-project/gcs-rewrite-work", read.text("pubsub_subscription"));
  }

  @Test
  public void processingEventsAndDeadLettersArePublishedWithTheServicesNativePubsubSink() {
    Map<String, String> topicByStep = new LinkedHashMap<>();
    for (Step write : kind("ParallelWrite")) {
      assertEquals("pubsub", write.text("format"));
      topicByStep.put(write.topLevel(), write.text("pubsub_topic"));
    }
    assertEquals(
        Map.of(
            "PublishProcessing", "/topics/test-project/gcs-rewrite-processing",
            "PublishDeadLetters", "/topics/test-project/gcs-rewrite-dead-letters"),
        topicByStep);
  }

  /**
   * Complete events are published by the pipeline's own publisher, which says when Pub/Sub has
   * accepted each, so that they are recorded in Redis as published only then (the native sink
   * returns nothing to wait for).
   */
  @Test
  public void completeEventsArePublishedThenRecordedAsPublished() {
    List<String> names = new java.util.ArrayList<>();
    for (Step step : steps) {
      if (step.userName().startsWith("PublishComplete/")) {
        names.add(step.userName());
      }
    }
    assertEquals(
        List.of(
            "PublishComplete/AllOutcomes",
            "PublishComplete/ToEvents",
            "PublishComplete/Publish",
            "PublishComplete/RecordAnnouncements"),
        names);
  }

  @Test
  public void theStatefulStepsUseKeyedState() {
    Set<String> stateful = new LinkedHashSet<>();
    for (Step step : steps) {
      if (step.properties().has("uses_keyed_state")) {
        stateful.add(step.userName());
      }
    }
    assertEquals(Set.of("DropSeenGenerations/DropSeen", "ClaimInRedis/WaitForLease"), stateful);
  }

  @Test
  public void theStepsAreTheReleasedOnesWithTheirMappedRenames() throws IOException {
    Map<String, String> renames = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> entries = mapping().fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      if (!entry.getKey().contains("/")) {
        renames.put(entry.getKey(), entry.getValue().asText());
      }
    }
    List<String> expected = new ArrayList<>();
    for (String released : documentedSteps()) {
      expected.add(renames.getOrDefault(released, released));
    }
    Set<String> translated = new LinkedHashSet<>();
    steps.forEach(s -> translated.add(s.topLevel()));
    assertEquals(
        "templates/step-names.txt (released names) with the renames of"
            + " templates/transform-mapping.json applied; a step renamed without a mapping, or a"
            + " new step not in the list, shows here",
        expected,
        List.copyOf(translated));
  }

  @Test
  public void everyMappingLeadsToAStepThatExists() throws IOException {
    Set<String> userNames = new LinkedHashSet<>();
    for (Step step : steps) {
      String name = step.userName();
      for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
        userNames.add(name.substring(0, slash));
      }
      userNames.add(name);
    }
    Iterator<Map.Entry<String, JsonNode>> entries = mapping().fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      assertThat(
          "mapping " + entry.getKey() + " -> a step of the graph",
          userNames,
          hasItem(entry.getValue().asText()));
    }
  }

  private static JsonNode mapping() throws IOException {
    JsonNode mapping =
        new ObjectMapper().readTree(Path.of("templates", "transform-mapping.json").toFile());
    assertTrue("transform-mapping.json is a JSON object", mapping.isObject());
    return mapping;
  }

  private static Set<String> documentedSteps() throws IOException {
    Set<String> names = new LinkedHashSet<>();
    for (String line :
        Files.readAllLines(Path.of("templates", "step-names.txt"), StandardCharsets.UTF_8)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.trim());
      }
    }
    return names;
  }

  private static List<Step> kind(String kind) {
    return steps.stream().filter(s -> s.kind().equals(kind)).toList();
  }

  /** One translated step: its kind and properties. */
  private record Step(String kind, JsonNode properties) {
    String text(String property) {
      return properties.path(property).path("value").asText();
    }

    String userName() {
      return text("user_name");
    }

    String topLevel() {
      String name = userName();
      int slash = name.indexOf('/');
      return slash < 0 ? name : name.substring(0, slash);
    }
  }
}
