package dev.gcsrewrite.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Option validation: good options become settings; each bad one fails in one line naming it. */
public class JobSettingsTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private final Map<String, String> options = new LinkedHashMap<>();

  @Before
  public void validOptions() throws IOException {
    options.put("inputSubscription", "projects/my-project/subscriptions/gcs-rewrite-work");
    options.put("processedBucket", "gs://processed-bucket");
    options.put("processingTopic", "projects/my-project/topics/processing");
    options.put("completeTopic", "projects/my-project/topics/complete");
    options.put("deadLetterTopic", "projects/my-project/topics/dead-letters");
    options.put("jobName", "gcs-rewrite-test");
    options.put("redisHost", "10.1.2.3");
  }

  @Test
  public void validOptionsBecomeSettingsWithTheDocumentedDefaults() {
    JobSettings settings = settings();
    assertEquals(
        "projects/my-project/subscriptions/gcs-rewrite-work", settings.inputSubscription());
    assertEquals("gs://", settings.locations().bucketRoot());
    assertEquals("gs://processed-bucket/", settings.locations().outputDirectory());
    assertEquals(".processed", settings.locations().outputSuffix());
    assertEquals(RewriteRules.parse("AWS=GCP"), settings.rules());
    assertEquals(Duration.standardHours(1), settings.dedupeTtl());
    assertEquals("gcs-rewrite-test", settings.jobName());
    assertEquals(
        new RedisSettings("10.1.2.3", 6379, false, null, null, "gcs-rewrite:", false),
        settings.redis());
    assertEquals(
        new ClaimSettings(
            "gcs-rewrite-test", Duration.standardMinutes(10), Duration.standardDays(7)),
        settings.claims());
  }

  @Test
  public void redisOptionsBecomeRedisSettingsWithSecretReferencesOnly() {
    options.put("redisPort", "6380");
    options.put("redisTls", "true");
    options.put("redisPasswordSecret", "projects/p/secrets/redis-auth/versions/latest");
    options.put("redisTlsCaSecret", "file:/etc/redis/ca.pem");
    options.put("keyPrefix", "team-a:");
    assertEquals(
        new RedisSettings(
            "10.1.2.3",
            6380,
            true,
            "projects/p/secrets/redis-auth/versions/latest",
            "file:/etc/redis/ca.pem",
            "team-a:",
            false),
        settings().redis());
  }

  @Test
  public void badRedisAndClaimOptionsAreReportedNamingTheOption() {
    assertFailure("redisPort", "70000", "--redisPort: 70000 is not a port");
    assertFailure("redisHost", "my host", "--redisHost: 'my host' is not a host name");
    assertFailure(
        "redisPasswordSecret",
        "hunter2",
        "--redisPasswordSecret: is not a secret reference; use projects/<p>/secrets/<s>/versions/<v>"
            + " or file:<path>");
    assertFailure(
        "redisTlsCaSecret",
        "file:/ca.pem",
        "--redisTlsCaSecret: is used only with --redisTls=true");
    assertFailure("claimLease", "2h", "--dedupeTtl: 1h is shorter than --claimLease (2h)");
    assertFailure(
        "claimRetention", "5m", "--claimRetention: 5m must be longer than --claimLease (10m)");
    assertFailure("claimLease", "soon", "--claimLease: 'soon' is not a duration");
  }

  @Test
  public void workBucketsAreAnAllowListRequiredOnDataflow() {
    assertEquals(List.of(), settings().locations().workBuckets());
    options.put("workBuckets", "b-work,a-work");
    assertEquals(List.of("a-work", "b-work"), settings().locations().workBuckets());
    assertFailure("workBuckets", "a-work,Bad_Bucket", "--workBuckets: bucket name 'Bad_Bucket'");
    assertFailure("workBuckets", "a-work,", "--workBuckets: bucket name ''");

    options.remove("workBuckets");
    options.put("runner", "DataflowRunner");
    assertFailure("--workBuckets: is required on Dataflow");
  }

  @Test
  public void passwordGivenInPlaceOfItsReferenceIsNeverEchoed() {
    options.put("redisPasswordSecret", "s3cr3t-value");
    InvalidOptionException e = assertThrows(InvalidOptionException.class, this::settings);
    assertEquals(false, e.getMessage().contains("s3cr3t-value"));
  }

  @Test
  public void localFoldersAreMadeAbsoluteFolderPaths() throws IOException {
    File root = folder.newFolder("buckets");
    options.put("bucketRoot", root.getPath());
    options.put("processedBucket", folder.getRoot() + "/out/../processed");
    JobSettings settings = settings();
    assertEquals(root.getAbsolutePath() + "/", settings.locations().bucketRoot());
    assertEquals(folder.getRoot() + "/processed/", settings.locations().outputDirectory());
  }

  @Test
  public void rulesComeFromTheSpecOrTheFile() throws IOException {
    options.put("rewriteRules", "AWS=GCP,Amazon=Google");
    assertEquals(RewriteRules.parse("AWS=GCP,Amazon=Google"), settings().rules());

    options.remove("rewriteRules");
    File file = folder.newFile("rules.txt");
    Files.writeString(file.toPath(), "# cloud names\nAWS=GCP\nS3=GCS\n", StandardCharsets.UTF_8);
    options.put("rewriteRulesFile", file.getPath());
    assertEquals(RewriteRules.parse("AWS=GCP,S3=GCS"), settings().rules());
  }

  @Test
  public void missingRequiredOptionsAreNamed() {
    for (String required :
        new String[] {
          "inputSubscription",
          "processedBucket",
          "processingTopic",
          "completeTopic",
          "deadLetterTopic"
        }) {
      String value = options.remove(required);
      assertFailure("--" + required + ": is required");
      options.put(required, value);
    }
  }

  @Test
  public void malformedValuesAreReportedInOneLineNamingTheOption() throws IOException {
    assertFailure("dedupeTtl", "10x", "--dedupeTtl: '10x' is not a duration");
    assertFailure("dedupeTtl", "0s", "--dedupeTtl: '0s' is not a positive duration");
    assertFailure("inputSubscription", "my-sub", "--inputSubscription: 'my-sub' is not a Pub/Sub");
    assertFailure(
        "inputSubscription",
        "projects/p/topics/t",
        "--inputSubscription: 'projects/p/topics/t' is not a Pub/Sub subscription");
    assertFailure("completeTopic", "projects/p/topics/x", "--completeTopic: 'projects/p/topics/x'");
    assertFailure("deadLetterTopic", "topics/dead", "--deadLetterTopic:");
    assertFailure("processedBucket", "gs://Bad_Bucket!", "--processedBucket: 'gs://Bad_Bucket!'");
    assertFailure(
        "processedBucket", "s3://bucket/out", "--processedBucket: 's3://bucket/out' uses");
    assertFailure("bucketRoot", folder.getRoot() + "/nope", "--bucketRoot: local folder");
    assertFailure("outputSuffix", "/x", "--outputSuffix: '/x' must not contain");
    assertFailure("rewriteRules", "=GCP", "--rewriteRules: ");
    assertFailure("rewriteRules", "AWS=GCP,AWS=X", "--rewriteRules: ");
    assertFailure("rewriteRules", "AWS", "--rewriteRules: ");
    assertFailure(
        "rewriteRulesFile", folder.getRoot() + "/missing.txt", "--rewriteRulesFile: cannot read");
    File binary = folder.newFile("binary.txt");
    Files.write(binary.toPath(), new byte[] {'A', '=', (byte) 0xff});
    assertFailure(
        "rewriteRulesFile", binary.getPath(), "--rewriteRulesFile: " + binary + " is not UTF-8");
    File empty = folder.newFile("empty.txt");
    assertFailure(
        "rewriteRulesFile", empty.getPath(), "--rewriteRulesFile: " + empty.getPath() + ": ");
    File huge = folder.newFile("huge.txt");
    Files.write(
        huge.toPath(),
        "A=B\n".repeat(JobSettings.MAX_RULES_FILE_BYTES / 4 + 1).getBytes(StandardCharsets.UTF_8));
    assertFailure(
        "rewriteRulesFile",
        huge.getPath(),
        "--rewriteRulesFile: "
            + huge
            + " is larger than "
            + JobSettings.MAX_RULES_FILE_BYTES
            + " bytes");
  }

  @Test
  public void rulesFileTextComesFromTheReaderItIsGivenWithoutTouchingFiles() {
    options.put("rewriteRulesFile", "gs://config-bucket/rules.txt");
    List<String> asked = new java.util.ArrayList<>();
    JobSettings settings =
        JobSettings.from(
            PipelineOptionsFactory.fromArgs(args()).as(GcsRewriteOptions.class),
            List.of(),
            file -> {
              asked.add(file);
              return "# comment\nAmazon=Google\n";
            });
    assertEquals(List.of("gs://config-bucket/rules.txt"), asked);
    assertEquals(RewriteRules.parseFile("Amazon=Google\n"), settings.rules());
  }

  @Test
  public void stoppedJobsAreTakenOverButNeverTheJobItself() {
    GcsRewriteOptions parsed = PipelineOptionsFactory.fromArgs(args()).as(GcsRewriteOptions.class);
    assertEquals(
        List.of("gcs-rewrite-old"),
        JobSettings.from(parsed, List.of("gcs-rewrite-old")).claims().stoppedOwners());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobSettings.from(parsed, List.of("gcs-rewrite-test")));
    assertThat(e.getMessage(), startsWith("the job itself (gcs-rewrite-test)"));
  }

  @Test
  public void rulesAndRulesFileTogetherAreRefused() throws IOException {
    options.put("rewriteRules", "AWS=GCP");
    options.put("rewriteRulesFile", folder.newFile("r.txt").getPath());
    assertFailure("--rewriteRules: set either --rewriteRules or --rewriteRulesFile, not both");
  }

  private void assertFailure(String option, String value, String expectedStart) {
    String previous = options.put(option, value);
    try {
      assertFailure(expectedStart);
    } finally {
      if (previous == null) {
        options.remove(option);
      } else {
        options.put(option, previous);
      }
    }
  }

  private void assertFailure(String expectedStart) {
    InvalidOptionException e = assertThrows(InvalidOptionException.class, this::settings);
    assertThat(e.getMessage(), startsWith(expectedStart));
    assertEquals("one line: " + e.getMessage(), -1, e.getMessage().indexOf('\n'));
  }

  private JobSettings settings() {
    return JobSettings.from(PipelineOptionsFactory.fromArgs(args()).as(GcsRewriteOptions.class));
  }

  private String[] args() {
    return options.entrySet().stream()
        .map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toArray(String[]::new);
  }
}
