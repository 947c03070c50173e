package dev.gcsrewrite.scripts;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.monitoring.dashboard.v1.Dashboard;
import com.google.monitoring.dashboard.v1.MosaicLayout;
import com.google.monitoring.v3.AlertPolicy;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.gcsrewrite.scripts.FakeCloud.ScriptRun;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.DocumentationLinks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The dashboards and alert policies of {@code templates/monitoring/}, as {@code setup-gcp.sh
 * --dry-run} renders them into {@code target/monitoring/<env>/} and prints the commands that send
 * them: each file parses strictly into the published API message (an unknown or misspelled field is
 * an error, as gcloud would only find out once signed in), every Beam counter they chart or alert
 * on is one the pipeline declares, every runbook they name is a heading of docs/operations.md, and
 * each environment gets its own names and thresholds.
 */
public class MonitoringTemplatesTest {
  private static final Path OPERATIONS = Path.of("docs", "operations.md");
  private static final Path THRESHOLDS = Path.of("pipeline-options", "monitoring");

  /** A Beam counter in a PromQL query: {@code "metric_name"="claimed"}. */
  private static final Pattern COUNTER = Pattern.compile("\"metric_name\"=\"([^\"]*)\"");

  /** A part of a distribution as Dataflow exports it: {@code notificationToCompleteMillis_MAX}. */
  private static final Pattern DISTRIBUTION_PART = Pattern.compile("(.*)_(SUM|COUNT|MIN|MAX|MEAN)");

  /** A runbook link in a policy's documentation. */
  private static final Pattern RUNBOOK = Pattern.compile("docs/operations\\.md#([a-z0-9-]+)");

  /** A placeholder of the scripts' renderer (the dashboards' own ${metric.labels.x} stay). */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}");

  private static final Map<String, Dashboard> dashboards = new LinkedHashMap<>();
  private static final Map<String, AlertPolicy> policies = new LinkedHashMap<>();
  private static final Map<String, String> texts = new LinkedHashMap<>();

  @BeforeClass
  public static void renderWithTheDryRun() throws IOException {
    // Read before the cloud closes: another test JVM may render them again once it has.
    try (FakeCloud cloud = FakeCloud.create()) {
      ScriptRun run = cloud.script("setup-gcp.sh").run("--dry-run");
      assertEquals(run.toString(), 0, run.status());
      for (List<String> command : run.gcloudCommands()) {
        String joined = String.join(" ", command);
        if (joined.startsWith("gcloud monitoring dashboards create --config-from-file=")) {
          String file = ShellWords.flag(command, "config-from-file");
          dashboards.put(file, parse(read(file), Dashboard.newBuilder()).build());
        } else if (joined.startsWith("gcloud alpha monitoring policies create ")) {
          String file = ShellWords.flag(command, "policy-from-file");
          policies.put(file, parse(read(file), AlertPolicy.newBuilder()).build());
        }
      }
    }
  }

  @Test
  public void theDryRunSendsADashboardAndSevenPoliciesPerEnvironmentFromFilesThatExist() {
    assertEquals(dashboards.keySet().toString(), 2, dashboards.size());
    assertEquals(policies.keySet().toString(), 14, policies.size());
    // Each was read from its file when rendered (read fails on a missing one).
    for (String file : texts.keySet()) {
      assertTrue(file, file.startsWith("target/monitoring/"));
    }
  }

  @Test
  public void everyRenderedFileParsesStrictlyIntoThePublishedMessage() {
    for (Dashboard dashboard : dashboards.values()) {
      assertTrue(dashboard.getDisplayName(), dashboard.hasMosaicLayout());
      assertTrue(dashboard.getDisplayName(), dashboard.getMosaicLayout().getTilesCount() > 10);
    }
    for (Map.Entry<String, AlertPolicy> policy : policies.entrySet()) {
      AlertPolicy value = policy.getValue();
      assertFalse(policy.getKey(), value.getConditionsList().isEmpty());
      assertEquals(policy.getKey(), AlertPolicy.ConditionCombinerType.OR, value.getCombiner());
      assertEquals(policy.getKey(), "text/markdown", value.getDocumentation().getMimeType());
    }
  }

  @Test
  public void aMisspelledFieldIsRejectedNotIgnored() {
    String dashboard = texts.get(dashboards.keySet().iterator().next());
    String policy = texts.get(policies.keySet().iterator().next());
    assertThat(dashboard, containsString("\"perSeriesAligner\""));
    assertThat(policy, containsString("\"conditions\""));

    assertThrows(
        InvalidProtocolBufferException.class,
        () ->
            JsonFormat.parser()
                .merge(
                    dashboard.replace("\"perSeriesAligner\"", "\"perSeriesAlinger\""),
                    Dashboard.newBuilder()));
    assertThrows(
        InvalidProtocolBufferException.class,
        () ->
            JsonFormat.parser()
                .merge(
                    policy.replace("\"conditions\"", "\"condtions\""), AlertPolicy.newBuilder()));
  }

  @Test
  public void tilesStayInsideTheGridAndNeverOverlap() {
    for (Dashboard dashboard : dashboards.values()) {
      MosaicLayout layout = dashboard.getMosaicLayout();
      List<MosaicLayout.Tile> tiles = layout.getTilesList();
      for (int i = 0; i < tiles.size(); i++) {
        MosaicLayout.Tile a = tiles.get(i);
        String where = dashboard.getDisplayName() + ": " + a.getWidget().getTitle();
        assertTrue(where, a.getXPos() >= 0 && a.getXPos() + a.getWidth() <= layout.getColumns());
        for (MosaicLayout.Tile b : tiles.subList(i + 1, tiles.size())) {
          boolean apart =
              a.getXPos() + a.getWidth() <= b.getXPos()
                  || b.getXPos() + b.getWidth() <= a.getXPos()
                  || a.getYPos() + a.getHeight() <= b.getYPos()
                  || b.getYPos() + b.getHeight() <= a.getYPos();
          assertTrue(where + " overlaps " + b.getWidget().getTitle(), apart);
        }
      }
    }
  }

  @Test
  public void everyCounterChartedOrAlertedOnIsOneThePipelineDeclares() {
    Set<String> named = counters(texts.values());
    assertThat(
        "the counters the dashboards show",
        named,
        hasItems(
            "notificationsReceived",
            "duplicates",
            "superseded",
            "claimed",
            "objectsCompleted",
            "skippedSourceMissing",
            "deadLettered",
            "redisOutageRetries",
            "redisRetries",
            "outputsRepaired",
            "publishRefused",
            "outputRefused",
            "sourcesUnreadable",
            "notificationToCompleteMillis_SUM",
            "notificationToCompleteMillis_COUNT",
            "notificationToCompleteMillis_MAX"));
    assertThat(
        "counters named in templates/monitoring/ that PipelineMetrics does not declare (renamed or"
            + " removed? the chart or alert would stay empty)",
        undeclared(named),
        empty());
  }

  @Test
  public void aRenamedCounterIsCaught() {
    String query = texts.get(dashboards.keySet().iterator().next()).replace("\\\"", "\"");
    assertThat(query, containsString("\"metric_name\"=\"notificationsReceived\""));

    Set<String> named =
        counters(
            List.of(
                query.replace(
                    "\"metric_name\"=\"notificationsReceived\"",
                    "\"metric_name\"=\"notificationsRecieved\"")));

    assertEquals(Set.of("notificationsRecieved"), undeclared(named));

    // A distribution's parts are caught the same way.
    assertEquals(
        Set.of("notificationToCompletionMillis_MAX"),
        undeclared(
            counters(
                List.of(
                    query.replace(
                        "notificationToCompleteMillis_MAX",
                        "notificationToCompletionMillis_MAX")))));
  }

  @Test
  public void everyPolicyLinksARunbookHeadingOfOperationsMd() throws IOException {
    Set<String> headings = DocumentationLinks.anchors(Files.readString(OPERATIONS));
    for (Map.Entry<String, AlertPolicy> policy : policies.entrySet()) {
      Matcher link = RUNBOOK.matcher(policy.getValue().getDocumentation().getContent());
      assertTrue(policy.getKey() + " names no runbook in docs/operations.md", link.find());
      do {
        assertThat(
            policy.getKey() + ": no such heading in " + OPERATIONS, link.group(1), in(headings));
      } while (link.find());
    }
    assertThat("runbook-nowhere", not(in(headings)));
  }

  @Test
  public void noPlaceholderIsLeftInARenderedFile() {
    texts.forEach(
        (file, text) -> assertFalse(file + " holds " + text, PLACEHOLDER.matcher(text).find()));
  }

  @Test
  public void displayNamesAreTheOnesSetupLooksUpAndComeFirstInTheirFile() {
    Set<String> rendered = new TreeSet<>();
    dashboards.forEach((file, d) -> rendered.add(firstDisplayName(file, d.getDisplayName())));
    policies.forEach((file, p) -> rendered.add(firstDisplayName(file, p.getDisplayName())));
    Set<String> expected = new TreeSet<>();
    FakeCloud.MONITORING.values().forEach(expected::addAll);
    assertEquals(
        "display names (setup finds each dashboard and policy by it: a renamed one is left behind"
            + " and a new one made; FakeCloud.MONITORING lists them)",
        expected,
        rendered);
  }

  @Test
  public void eachEnvironmentWatchesItsOwnJobSubscriptionAndDeadLetterTopic() {
    texts.forEach(
        (file, text) -> {
          String environment = file.split("/")[2];
          String other = environment.equals("prod") ? "dev" : "prod";
          assertThat(file, text, containsString("\"gcs-rewrite " + environment));
          for (String name :
              List.of(
                  "gcs-rewrite " + other,
                  "gcs-rewrite-" + other,
                  "gcs-rewrite-work-" + other,
                  "gcs-rewrite-" + other + "-dead-letters")) {
            assertThat(file, text, not(containsString(name)));
          }
        });
    String prod = texts.get("target/monitoring/prod/dashboard.json").replace("\\\"", "\"");
    assertThat(prod, containsString("\"job_name\"=\"gcs-rewrite-prod\""));
    assertThat(prod, containsString("subscription_id = \"gcs-rewrite-work-prod\""));
    assertThat(prod, containsString("topic_id = \"gcs-rewrite-prod-dead-letters\""));
    assertThat(
        prod,
        containsString(
            "instance_id = \"projects/"
                + FakeCloud.PROJECT
                + "/locations/"
                + FakeCloud.REGION
                + "/instances/gcs-rewrite-claims\""));
  }

  @Test
  public void thePoliciesCarryTheirEnvironmentsThresholds() throws IOException {
    for (String environment : List.of("dev", "prod")) {
      Map<String, String> thresholds = thresholds(environment);
      AlertPolicy backlog = policy(environment, "backlog-age.json");
      assertEquals(
          environment,
          seconds(thresholds.get("backlogAge")),
          backlog.getConditions(0).getConditionThreshold().getThresholdValue(),
          0);
      AlertPolicy redis = policy(environment, "redis-memory.json");
      assertEquals(
          environment,
          Integer.parseInt(thresholds.get("redisMemoryPercent")) / 100.0,
          redis.getConditions(0).getConditionThreshold().getThresholdValue(),
          1e-9);
      AlertPolicy down = policy(environment, "job-not-running.json");
      assertEquals(
          environment,
          (long) seconds(thresholds.get("jobDownFor")),
          down.getConditions(0).getConditionAbsent().getDuration().getSeconds());
      AlertPolicy outage = policy(environment, "redis-outage.json");
      assertEquals(
          environment,
          (long) seconds(thresholds.get("redisOutageFor")),
          outage.getConditions(0).getConditionPrometheusQueryLanguage().getDuration().getSeconds());
      assertTrue(environment, backlog.getNotificationChannelsList().isEmpty());
    }
  }

  @Test
  public void everyCloudOptionSetHasThresholdsAndEveryThresholdsFileAnOptionSet()
      throws IOException {
    Set<String> optionSets = new TreeSet<>(environments(Path.of("pipeline-options")));
    optionSets.remove("local");
    assertEquals(optionSets, environments(THRESHOLDS));
  }

  /** The counters named in PromQL queries. */
  private static Set<String> counters(Iterable<String> texts) {
    Set<String> names = new TreeSet<>();
    for (String text : texts) {
      Matcher counter = COUNTER.matcher(text.replace("\\\"", "\""));
      while (counter.find()) {
        names.add(counter.group(1));
      }
    }
    return names;
  }

  private static Set<String> undeclared(Set<String> named) {
    Set<String> undeclared = new TreeSet<>(named);
    undeclared.removeAll(Counters.declared());
    undeclared.removeIf(
        name -> {
          Matcher part = DISTRIBUTION_PART.matcher(name);
          return part.matches() && Counters.declaredDistributions().contains(part.group(1));
        });
    return undeclared;
  }

  /** The first displayName in the file's text (the one setup reads), which must be the top one. */
  private static String firstDisplayName(String file, String parsed) {
    Matcher name = Pattern.compile("\"displayName\": \"([^\"]*)\"").matcher(texts.get(file));
    assertTrue(file, name.find());
    assertEquals(
        file + ": setup reads the first displayName as the dashboard's or policy's",
        parsed,
        name.group(1));
    return parsed;
  }

  private static AlertPolicy policy(String environment, String name) {
    AlertPolicy policy =
        policies.get("target/monitoring/" + environment + "/alert-policies/" + name);
    assertTrue(environment + "/" + name, policy != null);
    return policy;
  }

  private static Map<String, String> thresholds(String environment) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(THRESHOLDS.resolve(environment + ".conf"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return values;
  }

  private static double seconds(String duration) {
    long number = Long.parseLong(duration.substring(0, duration.length() - 1));
    return number * (duration.endsWith("h") ? 3600 : 60);
  }

  private static Set<String> environments(Path folder) throws IOException {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.conf")) {
      files.forEach(f -> names.add(f.getFileName().toString().replaceFirst("\\.conf$", "")));
    }
    return names;
  }

  private static String read(String file) {
    try {
      String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      texts.put(file, text);
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(file + " (named by the dry run)", e);
    }
  }

  /** JsonFormat's parser as it is, without ignoringUnknownFields(): strict. */
  private static <B extends Message.Builder> B parse(String json, B builder) {
    try {
      JsonFormat.parser().merge(json, builder);
      return builder;
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("does not parse into " + builder.getDescriptorForType() + ": " + e);
    }
  }
}
