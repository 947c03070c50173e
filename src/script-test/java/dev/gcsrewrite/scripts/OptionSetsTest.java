package dev.gcsrewrite.scripts;

import static dev.gcsrewrite.scripts.FakeCloud.PROJECT;
import static dev.gcsrewrite.scripts.FakeCloud.WORKER_SA;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * The option sets in {@code pipeline-options/}: every key is a pipeline option and a template
 * parameter, every value (with sample values for the variables) passes the parameter's regexes, the
 * environments set every required parameter, and the resources they name are the ones setup-gcp.sh
 * creates and grants the worker access to.
 */
public class OptionSetsTest {
  private static final Path OPTIONS = Path.of("pipeline-options");
  private static final Map<String, String> SAMPLE_ENVIRONMENT =
      Map.of("PROJECT_ID", PROJECT, "REDIS_HOST", "10.12.0.3");

  @Test
  public void everyKeyIsAnOptionAndATemplateParameterAndEveryValuePassesItsRegexes()
      throws IOException {
    Map<String, JsonNode> parameters = metadataParameters();
    List<Path> files = optionSets();
    assertTrue("option sets found: " + files, files.size() >= 3);
    for (Path file : files) {
      for (Map.Entry<String, String> option : read(file).entrySet()) {
        String where = file + ": " + option.getKey();
        assertTrue(where + " is not an option of GcsRewriteOptions", isOption(option.getKey()));
        JsonNode parameter = parameters.get(option.getKey());
        if (parameter == null) {
          fail(where + " is not a parameter of templates/metadata.json");
        }
        for (JsonNode regex : parameter.path("regexes")) {
          assertTrue(
              where + "=" + option.getValue() + " does not match " + regex.asText(),
              Pattern.compile(regex.asText()).matcher(option.getValue()).find());
        }
      }
    }
  }

  @Test
  public void cloudEnvironmentsSetEveryRequiredParameter() throws IOException {
    for (String environment : List.of("dev", "prod")) {
      Map<String, String> options = read(OPTIONS.resolve(environment + ".conf"));
      metadataParameters()
          .forEach(
              (name, parameter) -> {
                if (!parameter.path("isOptional").asBoolean(false)) {
                  assertTrue(environment + ".conf lacks " + name, options.containsKey(name));
                }
              });
    }
  }

  @Test
  public void cloudEnvironmentsNameWhatSetupCreatesAndGrantsTheWorker() throws IOException {
    List<List<String>> setup;
    try (FakeCloud cloud = FakeCloud.create()) {
      ScriptRun run = cloud.script("setup-gcp.sh").run("--dry-run");
      assertEquals(run.toString(), 0, run.status());
      setup = run.gcloudCommands();
    }
    for (String environment : List.of("dev", "prod")) {
      Map<String, String> options = read(OPTIONS.resolve(environment + ".conf"));
      String subscription = last(options.get("inputSubscription"));
      List<String> created = find(setup, "gcloud pubsub subscriptions create " + subscription);
      String notifications = ShellWords.flag(created, "topic");
      List<String> notify = find(setup, "gcloud storage buckets notifications create");
      assertEquals(
          environment + ": the pipeline reads the topic the work bucket notifies",
          "projects/" + PROJECT + "/topics/" + notifications,
          ShellWords.flag(notify, "topic"));
      assertTrue(grants(setup, "pubsub subscriptions " + subscription, "roles/pubsub.subscriber"));

      String processed = options.get("processedBucket").replaceFirst("/.*", "");
      assertTrue(options.get("processedBucket").startsWith("gs://"));
      String bucket = "gs://" + options.get("processedBucket").substring(5).split("/")[0];
      find(setup, "gcloud storage buckets create " + bucket);
      assertTrue(
          processed, grants(setup, "storage buckets " + bucket, "roles/storage.objectAdmin"));

      for (String topic : List.of("processingTopic", "completeTopic", "deadLetterTopic")) {
        String name = last(options.get(topic));
        find(setup, "gcloud pubsub topics create " + name);
        assertTrue(topic, grants(setup, "pubsub topics " + name, "roles/pubsub.publisher"));
      }
      for (String secret : List.of("redisPasswordSecret", "redisTlsCaSecret")) {
        String name = options.get(secret).split("/")[3];
        find(setup, "gcloud secrets create " + name);
        assertTrue(secret, grants(setup, "secrets " + name, "roles/secretmanager.secretAccessor"));
      }
      // Memorystore with in-transit encryption listens with TLS on 6378.
      assertThat(
          find(setup, "gcloud redis instances create"),
          hasItem("--transit-encryption-mode=server-authentication"));
      assertEquals(environment, "true", options.get("redisTls"));
      assertEquals(environment, "6378", options.get("redisPort"));
      if (options.containsKey("rewriteRulesFile")) {
        List<String> upload = find(setup, "gcloud storage cp pipeline-options/rewrite-rules.txt");
        assertEquals(environment, upload.get(4), options.get("rewriteRulesFile"));
      }
    }
  }

  @Test
  public void environmentsShareNoSubscriptionOutputTopicOrKeyPrefix() {
    Map<String, String> dev = read(OPTIONS.resolve("dev.conf"));
    Map<String, String> prod = read(OPTIONS.resolve("prod.conf"));
    for (String option :
        List.of(
            "inputSubscription",
            "processedBucket",
            "processingTopic",
            "completeTopic",
            "deadLetterTopic",
            "keyPrefix")) {
      assertNotEquals(option + ": dev and prod would share it", dev.get(option), prod.get(option));
    }
    // What they do share: the work bucket they both process.
    assertEquals(dev.get("workBuckets"), prod.get("workBuckets"));
    assertEquals(PROJECT + "-gcs-rewrite-work", prod.get("workBuckets"));
  }

  @Test
  public void devAndLocalSetsAreAcceptedByThePipelinesOwnValidation() {
    JobSettings dev = settings(read(OPTIONS.resolve("dev.conf")), List.of());
    assertEquals(
        "projects/" + PROJECT + "/subscriptions/gcs-rewrite-work-dev", dev.inputSubscription());
    assertEquals(true, dev.redis().tls());
    // The local stack supplies its own subscription, topics, buckets and Redis. (prod.conf names a
    // rules file in Cloud Storage, which the validation would read: not offline.)
    JobSettings local =
        settings(
            read(OPTIONS.resolve("local.conf")),
            List.of(
                "--inputSubscription=projects/local-project/subscriptions/work-notifications",
                "--processedBucket=" + Path.of("target", "option-sets-processed").toAbsolutePath(),
                "--processingTopic=projects/local-project/topics/processing",
                "--completeTopic=projects/local-project/topics/complete",
                "--deadLetterTopic=projects/local-project/topics/dead-letters",
                "--redisHost=127.0.0.1"));
    assertEquals("gcs-rewrite-local:", local.redis().keyPrefix());
  }

  private static JobSettings settings(Map<String, String> options, List<String> more) {
    List<String> args = new ArrayList<>(more);
    options.forEach((name, value) -> args.add("--" + name + "=" + value));
    return JobSettings.from(
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(GcsRewriteOptions.class));
  }

  /** The file's options as the scripts read them, with the sample environment. */
  private static Map<String, String> read(Path file) {
    ProcessBuilder builder =
        new ProcessBuilder(
            "bash",
            "-c",
            "set -euo pipefail; source scripts/lib/common.sh; read_option_set \"$1\";"
                + " printf '%s\\n' \"${OPTION_SET[@]}\"",
            "read",
            file.toString());
    builder.environment().putAll(SAMPLE_ENVIRONMENT);
    ScriptRun run = ScriptRun.of(builder);
    assertEquals(run.toString(), 0, run.status());
    Map<String, String> options = new LinkedHashMap<>();
    for (String line : run.lines()) {
      int equals = line.indexOf('=');
      options.put(line.substring(0, equals), line.substring(equals + 1));
    }
    return options;
  }

  private static List<Path> optionSets() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(OPTIONS, "*.conf")) {
      stream.forEach(files::add);
    }
    return files;
  }

  private static Map<String, JsonNode> metadataParameters() throws IOException {
    JsonNode metadata = new ObjectMapper().readTree(Path.of("templates", "metadata.json").toFile());
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    for (JsonNode parameter : metadata.path("parameters")) {
      parameters.put(parameter.path("name").asText(), parameter);
    }
    return parameters;
  }

  private static boolean isOption(String name) {
    String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    try {
      GcsRewriteOptions.class.getMethod(getter);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static String last(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static List<String> find(List<List<String>> commands, String prefix) {
    return commands.stream()
        .filter(c -> (String.join(" ", c) + " ").startsWith(prefix + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("setup-gcp.sh runs no '" + prefix + "'"));
  }

  /** Whether setup grants the worker {@code role} on "service resource". */
  private static boolean grants(List<List<String>> commands, String resource, String role) {
    return commands.stream()
        .anyMatch(
            c -> {
              int verb = c.indexOf("add-iam-policy-binding");
              return verb > 0
                  && (String.join(" ", c.subList(1, verb)) + " " + c.get(verb + 1)).equals(resource)
                  && c.contains("--member=serviceAccount:" + WORKER_SA)
                  && c.contains("--role=" + role);
            });
  }
}
