package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.RecordingStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * What the sink and the repair do when a Cloud Storage read goes wrong after it began, at the level
 * of the storage client's requests (no emulator runs here): Cloud Storage reads open lazily and the
 * connector resumes a broken download with a ranged request, so a generation deleted, replaced or
 * refused shows up in the middle of the rewrite. It must end as a read result for the settlement,
 * never as an exception out of the sink (which would fail the bundle for ever).
 */
public class CloudStorageReadFaultsTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final RecordingStorage STORAGE = new RecordingStorage();
  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
  private static final String BUCKET = "work";
  private static final long G = 7;
  private static final int KIB = 1024;

  /** Larger than two of the rewriter's buffers, so part of it is written before a late failure. */
  private static final byte[] LARGE =
      ("AWS" + "x".repeat(1024 * KIB) + "AWS").getBytes(StandardCharsets.UTF_8);

  private static final String CSEK_REASON = "resourceIsEncryptedWithCustomerEncryptionKey";
  private static final String CSEK_MESSAGE =
      "The target object is encrypted by a customer-supplied encryption key.";
  private static final String KMS_MESSAGE =
      "Permission denied on Cloud KMS key. Please ensure that your Cloud Storage service account"
          + " has been authorized to use this key.";

  private ObjectLocations locations;
  private RedisSettings redis;
  private ClaimSettings claimSettings;
  private ClaimStore store;
  private OutputWriter writer;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  @Before
  public void setUp() throws IOException {
    locations =
        new ObjectLocations("gs://", folder.newFolder("out").toString() + "/", ".processed");
    redis = REDIS.settings(job.keyPrefix());
    claimSettings = ClaimFixtures.owner("job");
    store = ClaimStore.forPipeline(redis);
    writer =
        new OutputWriter(
            locations, new CloudStorageSource(unused -> STORAGE.client()), REWRITER, claimSettings);
  }

  @After
  public void closeStore() {
    store.close();
  }

  // ---- the sink ----

  @Test
  public void sourceDeletedMidReadLeavesAPartialOutputForTheSettlement() throws IOException {
    String name = "deleted-mid-read";
    deletedAfterPartOfItsRead(name, 600 * KIB);

    Claim claim = writeWithSink(name);

    assertEquals("vanished:partial", readResult(claim));
    assertThat(output.size(), greaterThan(0));
    assertThat(output.size(), lessThan(LARGE.length));
    assertEquals(
        List.of(download(name, ""), download(name, " range=" + 600 * KIB + "-")),
        requestsFor(name));
  }

  @Test
  public void sourceDeletedBeforeAByteReachedTheOutputKeepsTheOutputAsItWas() throws IOException {
    String name = "deleted-early";
    Files.writeString(outputFile(name), "GCP the previous generation's output");
    // Less than a rewriter buffer: read by the connector, never handed on.
    deletedAfterPartOfItsRead(name, 100 * KIB);

    Claim claim = writeWithSink(name);

    assertEquals("vanished:preserved", readResult(claim));
    assertEquals("GCP the previous generation's output", written());
  }

  @Test
  public void sourceGoneAtItsFirstByteLeavesNothingAndSaysSo() throws IOException {
    String name = "gone-before-the-read";

    Claim claim = writeWithSink(name);

    assertEquals("vanished:empty", readResult(claim));
    assertEquals(0, output.size());
    assertEquals(List.of(download(name, "")), requestsFor(name));
  }

  @Test
  public void sourceReplacedMidReadIsChangedWithAPartialOutput() throws IOException {
    String name = "replaced-mid-read";
    refusedAfterPartOfItsRead(
        name,
        412,
        "conditionNotMet",
        "At least one of the pre-conditions you specified did not hold.");

    Claim claim = writeWithSink(name);

    assertEquals(
        "changed:partial:generation changed mid-read: 412 conditionNotMet: At least one of the"
            + " pre-conditions you specified did not hold.",
        readResult(claim));
    assertThat(output.size(), greaterThan(0));
  }

  @Test
  public void brokenDownloadThatResumesIsReadWhole() throws IOException {
    String name = "resumed";
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.breakDownload(BUCKET, name, G, 600 * KIB, () -> {});

    Claim claim = writeWithSink(name);

    assertEquals(null, readResult(claim));
    assertEquals(LARGE.length, output.size());
    assertTrue(written().startsWith("GCPxxx") && written().endsWith("xxxGCP"));
    assertEquals(
        List.of(download(name, ""), download(name, " range=" + 600 * KIB + "-")),
        requestsFor(name));
  }

  @Test
  public void customerEncryptedSourceIsUnreadableAfterThreeTries() throws IOException {
    String name = "csek";
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.refuseDownloads(BUCKET, name, G, Integer.MAX_VALUE, 400, CSEK_REASON, CSEK_MESSAGE);

    Claim claim = writeWithSink(name);

    assertEquals(
        "unreadable:empty:cannot read gs://work/csek#7: 400 " + CSEK_REASON + ": " + CSEK_MESSAGE,
        readResult(claim));
    assertEquals(0, output.size());
    assertEquals(OutputWriter.READ_TRIES, requestsFor(name).size());
  }

  @Test
  public void refusalThatPassesWithinTheTriesIsReadWhole() throws IOException {
    String name = "permission-granted-late";
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.refuseDownloads(BUCKET, name, G, 2, 403, "forbidden", KMS_MESSAGE);

    Claim claim = writeWithSink(name);

    assertEquals(null, readResult(claim));
    assertEquals(LARGE.length, output.size());
    assertEquals(3, requestsFor(name).size());
  }

  @Test
  public void keyRevokedMidReadIsUnreadableWithAPartialOutputAndNoSecondTry() throws IOException {
    String name = "kms-revoked-mid-read";
    refusedAfterPartOfItsRead(name, 403, "forbidden", KMS_MESSAGE);

    Claim claim = writeWithSink(name);

    assertEquals(
        "unreadable:partial:cannot read gs://work/" + name + "#7: 403 forbidden: " + KMS_MESSAGE,
        readResult(claim));
    assertEquals("what went out cannot be written twice", 2, requestsFor(name).size());
  }

  // ---- the repair ----

  @Test
  public void repairOfASourceDeletedMidReadLeavesTheOutputAlone() throws IOException {
    String name = "repair-deleted-mid-read";
    Files.writeString(outputFile(name), "GCP one");
    deletedAfterPartOfItsRead(name, 600 * KIB);

    GcsNotification n = parsed(BUCKET, name, G, "m1");
    assertNull(repairFn().writeAgain(n, new Claim(n, 1)));

    assertEquals("GCP one", Files.readString(outputFile(name)));
    assertEquals("no temporary file left", List.of(name + ".processed"), outputFolder());
    assertEquals(2, requestsFor(name).size());
  }

  @Test
  public void repairOfAnUnreadableSourceLeavesTheOutputAlone() throws IOException {
    String name = "repair-csek";
    Files.writeString(outputFile(name), "GCP one");
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.refuseDownloads(BUCKET, name, G, Integer.MAX_VALUE, 400, CSEK_REASON, CSEK_MESSAGE);

    GcsNotification n = parsed(BUCKET, name, G, "m1");
    assertNull(repairFn().writeAgain(n, new Claim(n, 1)));

    assertEquals("GCP one", Files.readString(outputFile(name)));
    assertEquals(List.of(name + ".processed"), outputFolder());
    assertEquals(OutputWriter.READ_TRIES, requestsFor(name).size());
  }

  // ---- fixtures ----

  /** Generation {@link #G} of {@code name} breaks after {@code bytes}, and is gone by then. */
  private static void deletedAfterPartOfItsRead(String name, int bytes) {
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.breakDownload(BUCKET, name, G, bytes, () -> STORAGE.remove(BUCKET, name, G));
  }

  /** Generation {@link #G} of {@code name} breaks after 600 KiB, and is refused from then on. */
  private static void refusedAfterPartOfItsRead(
      String name, int status, String reason, String message) {
    STORAGE.put(BUCKET, name, G, LARGE);
    STORAGE.breakDownload(
        BUCKET,
        name,
        G,
        600 * KIB,
        () -> STORAGE.refuseDownloads(BUCKET, name, G, Integer.MAX_VALUE, status, reason, message));
  }

  /** Claims generation {@link #G} of {@code name} and writes it with the sink, as FileIO would. */
  private Claim writeWithSink(String name) throws IOException {
    Claim claim = ClaimFixtures.claim(store, parsed(BUCKET, name, G, "m1"), claimSettings);
    // FileIO serializes the sink factory to workers: use the sink as a worker would.
    RewritingSink sink = SerializableUtils.clone(new RewritingSink(writer, redis));
    sink.open(Channels.newChannel(output));
    sink.write(claim);
    sink.flush();
    return claim;
  }

  private RepairOutputs.RepairFn repairFn() {
    return new RepairOutputs.RepairFn(writer, redis);
  }

  private String readResult(Claim claim) {
    GcsNotification n = claim.notification();
    return job.records().generation(n.bucket(), n.objectId(), n.generation()).get("readResult");
  }

  private static String download(String name, String range) {
    return "GET /download/storage/v1/b/work/o/" + name + " generation=7 alt=media" + range;
  }

  private static List<String> requestsFor(String name) {
    return STORAGE.requests().stream().filter(r -> r.contains("/o/" + name + " ")).toList();
  }

  private Path outputFile(String name) {
    return Path.of(locations.outputSpec(BUCKET, name));
  }

  private List<String> outputFolder() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(locations.outputDirectory()))) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private String written() {
    return output.toString(StandardCharsets.UTF_8);
  }
}
