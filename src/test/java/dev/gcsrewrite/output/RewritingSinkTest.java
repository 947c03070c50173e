package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static dev.gcsrewrite.testing.Notifications.parsedDescribing;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.location.LocalGenerations;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.ClaimRecords;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The FileIO sink alone, on a plain channel, with a real Redis holding its claims: what it reads
 * (exactly the notified generation), what it writes when the read goes wrong, and the lease it
 * keeps alive.
 */
public class RewritingSinkTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));

  private Path root;
  private ObjectLocations locations;
  private RedisSettings redis;
  private ClaimSettings claimSettings;
  private ClaimStore store;
  private ClaimRecords records;
  private static volatile CountDownLatch sourceGate = new CountDownLatch(0);
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  @Before
  public void setUp() throws IOException {
    root = folder.newFolder("buckets").toPath();
    Files.createDirectories(root.resolve("work"));
    locations = new ObjectLocations(root.toString(), folder.getRoot() + "/out", ".processed");
    redis = REDIS.settings(job.keyPrefix());
    claimSettings =
        new ClaimSettings("job", Duration.standardMinutes(10), Duration.standardDays(1));
    store = ClaimStore.forPipeline(redis);
    records = job.records();
  }

  @After
  public void closeStore() {
    store.close();
  }

  @Test
  public void sourceIsStreamedThroughTheRewriter() throws IOException {
    put("a", "AWS and AWS");
    write(sink(), claim(parsed("work", "a", 1, "m1")));
    assertEquals("GCP and GCP", written());
  }

  @Test
  public void secondCopyOfTheSameClaimIsNotAppended() throws IOException {
    put("a", "AWS");
    RewritingSink sink = sink();
    Claim claim = claim(parsed("work", "a", 1, "m1"));
    sink.write(claim);
    sink.write(claim);
    assertEquals("GCP", written());
  }

  @Test
  public void anotherClaimInTheSameSinkIsRefused() throws IOException {
    put("a", "AWS");
    put("b", "AWS");
    RewritingSink sink = sink();
    sink.write(claim(parsed("work", "a", 1, "m1")));
    Claim other = claim(parsed("work", "b", 1, "m1"));
    assertThrows(IllegalStateException.class, () -> sink.write(other));
  }

  @Test
  public void theNotifiedGenerationIsReadEvenAfterTheFileWasReplaced() throws IOException {
    LocalGenerations.setVersioned(root, "work", true);
    Path file = put("a", "AWS first");
    LocalGenerations.keep(root, "work", "a", 1, file);
    // The object is overwritten: a new file moved into place, generation 2.
    Path next = Files.writeString(root.resolve("work").resolve("a.tmp"), "AWS second");
    Files.move(
        next,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    LocalGenerations.keep(root, "work", "a", 2, file);

    write(sink(), claim(parsed("work", "a", 1, "m1")));
    assertEquals("GCP first", written());
  }

  @Test
  public void generationThatVanishedKeepsTheCurrentOutputsBytes() throws IOException {
    Path out = Files.createDirectories(Path.of(locations.outputDirectory()));
    Files.writeString(out.resolve("gone.processed"), "GCP earlier output");
    Claim claim = claim(parsed("work", "gone", 1, "m1"));

    write(sink(), claim);

    assertEquals("GCP earlier output", written());
    assertEquals("vanished:preserved", record(claim).get("readResult"));
  }

  @Test
  public void generationThatVanishedWithNoOutputYetLeavesItEmptyAndSaysSo() throws IOException {
    Claim claim = claim(parsed("work", "gone", 1, "m1"));
    write(sink(), claim);
    assertEquals(0, output.size());
    assertEquals("vanished:empty", record(claim).get("readResult"));
  }

  @Test
  public void contentThatIsNotTheNotifiedGenerationsIsNotedAsChanged() throws IOException {
    put("a", "AWS is what is there now");
    GcsNotification n =
        parsedDescribing("work", "a", 1, "m1", "AWS was notified".getBytes(StandardCharsets.UTF_8));
    Claim claim = claim(n);
    write(sink(), claim);
    assertThat(record(claim).get("readResult"), startsWith("changed:read 24 bytes"));
  }

  @Test
  public void contentMatchingTheNotificationIsNotNoted() throws IOException {
    byte[] content = "AWS as notified".getBytes(StandardCharsets.UTF_8);
    Files.write(root.resolve("work").resolve("a"), content);
    Claim claim = claim(parsedDescribing("work", "a", 1, "m1", content));
    write(sink(), claim);
    assertEquals("GCP as notified", written());
    assertEquals(null, record(claim).get("readResult"));
  }

  @Test
  public void aWriteLastingThreeLeasesKeepsItsClaim() throws Exception {
    long lease = 1_000;
    claimSettings = new ClaimSettings("job", Duration.millis(lease), Duration.standardDays(1));
    GcsNotification n = parsed("work", "slow", 1, "m1");
    Claim claim = claim(n);
    long claimedAt = Long.parseLong(record(claim).get("claimedAt"));
    // A source that gives nothing until the test opens it: the write lasts as long as the test
    // says, here until three leases have passed by Redis's clock.
    sourceGate = new CountDownLatch(1);
    RewritingSink sink =
        SerializableUtils.clone(
            new RewritingSink(
                new OutputWriter(locations, new GatedSource(24), REWRITER, claimSettings), redis));
    sink.open(Channels.newChannel(output));
    CompletableFuture<Void> write =
        CompletableFuture.runAsync(
            () -> {
              try {
                sink.write(claim);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });

    records.awaitRedisTime(claimedAt + 3 * lease);
    try (ClaimStore other = ClaimStore.forPipeline(redis)) {
      // Three leases after the claim, mid-write: still this job's, no one can take it over.
      assertEquals(
          ClaimDecision.Kind.HELD_BY_ANOTHER_JOB,
          other.claim(List.of(n), ClaimFixtures.owner("other")).get(0).kind());
    }
    sourceGate.countDown();
    write.get(60, TimeUnit.SECONDS);

    assertEquals("x".repeat(24), written());
    assertThat(
        Long.parseLong(record(claim).get("leaseUntil")) - claimedAt,
        greaterThanOrEqualTo(3 * lease));
  }

  private RewritingSink sink() throws IOException {
    // FileIO serializes the sink factory to workers: use the sink as a worker would.
    RewritingSink sink =
        SerializableUtils.clone(
            new RewritingSink(
                new OutputWriter(
                    locations, new LocalFolderSource(root.toString()), REWRITER, claimSettings),
                redis));
    sink.open(Channels.newChannel(output));
    return sink;
  }

  private static void write(RewritingSink sink, Claim claim) throws IOException {
    sink.write(claim);
    sink.flush();
  }

  private Claim claim(GcsNotification n) {
    return ClaimFixtures.claim(store, n, claimSettings);
  }

  private Map<String, String> record(Claim claim) {
    GcsNotification n = claim.notification();
    return records.generation(n.bucket(), n.objectId(), n.generation());
  }

  private String written() {
    return output.toString(StandardCharsets.UTF_8);
  }

  private Path put(String objectId, String content) throws IOException {
    return Files.writeString(
        root.resolve("work").resolve(objectId), content, StandardCharsets.UTF_8);
  }

  /**
   * A source of {@code bytes} x's that gives nothing until {@link #sourceGate} opens: a large
   * object on a slow link, as slow as the test needs. The gate is static because FileIO, and so the
   * test, serializes the sink with its source.
   */
  private record GatedSource(int bytes) implements GenerationSource {
    @Override
    public long sizeOf(GcsNotification notification) {
      return bytes;
    }

    @Override
    public ReadableByteChannel open(GcsNotification notification) {
      return new ReadableByteChannel() {
        private int left = bytes;

        @Override
        public int read(ByteBuffer destination) throws IOException {
          if (left == 0) {
            return -1;
          }
          try {
            sourceGate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the gate");
          }
          destination.put((byte) 'x');
          left--;
          return 1;
        }

        @Override
        public boolean isOpen() {
          return true;
        }

        @Override
        public void close() {}
      };
    }
  }
}
