package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.parsedDescribing;
import static org.junit.Assert.assertEquals;

import com.google.api.services.storage.Storage;
import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.CompleteClaims;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.RecordingStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * What writing an object costs in Cloud Storage operations, counted at the storage client (no
 * emulator runs here): the write path (WriteProcessedObjects, CompleteClaims, RepairOutputs) runs
 * on {@code gs://} locations with Beam's own storage client over a recording transport, and every
 * request is sorted into the class Cloud Storage bills it as. {@code docs/cost-model.md} takes its
 * operation counts from here; a change that adds a request per object fails this test.
 */
public class CloudStorageOperationsTest {
  private static final RecordingStorage STORAGE = new RecordingStorage();
  private static final RecordingStorage.Served SERVED = serve();
  private static final String WORK = "work-bucket";
  private static final ObjectLocations LOCATIONS =
      new ObjectLocations("gs://", "gs://processed-bucket/out/", ".processed");
  private static final TokenRewriter REWRITER = new TokenRewriter(RewriteRules.parse("AWS=GCP"));
  private static final int OBJECTS = 4;

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();

  @Rule
  public final transient TestPipeline pipeline =
      TestPipeline.fromOptions(
          PipelineOptionsFactory.fromArgs(
                  "--runner=DirectRunner",
                  "--gcsEndpoint=" + SERVED.endpoint(),
                  "--credentialFactoryClass=" + NoopCredentialFactory.class.getName())
              .create());

  @Rule public final transient TestJob testJob = new TestJob(REDIS);

  @Test
  public void eachWrittenObjectCostsThreeClassBTwoClassAAndOneFreeOperation() throws Exception {
    // What the runner does on each worker; the graph names gs:// resources before it runs.
    FileSystems.setDefaultPipelineOptions(pipeline.getOptions());
    RedisSettings redis = REDIS.settings(testJob.keyPrefix());
    ClaimSettings job =
        new ClaimSettings("job", Duration.standardMinutes(1), Duration.standardDays(1));
    List<Claim> claims = new ArrayList<>();
    List<String> written = new ArrayList<>();
    try (ClaimStore store = ClaimStore.forPipeline(redis)) {
      for (int i = 0; i < OBJECTS; i++) {
        String name = "dir/object " + i + ".txt";
        byte[] content = ("AWS object " + i).getBytes(StandardCharsets.UTF_8);
        long generation = 1764064800000000L + i;
        STORAGE.put(WORK, name, generation, content);
        claims.add(
            ClaimFixtures.claim(
                store, parsedDescribing(WORK, name, generation, "m" + i, content), job));
        written.add(name + " COMPLETE");
      }
    }
    // The write check is once per worker per 30 s; this run is a fresh worker.
    WritableOutputs.forget();
    int before = STORAGE.requests().size();

    OutputWriter writer =
        new OutputWriter(
            LOCATIONS, new CloudStorageSource(CloudStorageOperationsTest::storage), REWRITER, job);
    SettleResults settled =
        pipeline
            .apply(Create.of(claims).withCoder(ClaimCoder.of()))
            .apply(new WriteProcessedObjects(writer, redis, Duration.millis(100)))
            .apply("Settle", new CompleteClaims(redis, job));
    settled.apply("Repair", new RepairOutputs(writer, redis));
    PAssert.that(
            settled
                .outcomes()
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via((Outcome o) -> o.notification().objectId() + " " + o.kind())))
        .containsInAnyOrder(written);
    PAssert.that(settled.failures()).empty();
    pipeline.run().waitUntilFinish();

    List<String> requests = STORAGE.requests().subList(before, STORAGE.requests().size());
    Map<String, Integer> byOperation = new TreeMap<>();
    for (String request : requests) {
      byOperation.merge(operation(request), 1, Integer::sum);
    }
    assertEquals(
        "requests: " + String.join("\n", requests),
        Map.ofEntries(
            Map.entry("B objects.get (the source's metadata, at its generation)", OBJECTS),
            Map.entry("B objects.get alt=media (the source's bytes, at its generation)", OBJECTS),
            Map.entry("A objects.insert (a temporary file, one resumable upload)", OBJECTS),
            Map.entry("- upload request inside that one insert", 2 * OBJECTS),
            Map.entry("A objects.rewrite (the temporary file to the output)", OBJECTS),
            Map.entry("free objects.delete (the temporary file)", OBJECTS),
            Map.entry("B objects.get (the output's size, once in place)", OBJECTS),
            Map.entry("A write check: objects.insert (once per worker per 30 s)", 1),
            Map.entry("- write check: upload request inside that insert", 1),
            Map.entry("B write check: objects.get (before its delete)", 2),
            Map.entry("free write check: objects.delete", 1)),
        byOperation);
  }

  @AfterClass
  public static void stopServing() {
    SERVED.close();
  }

  private static RecordingStorage.Served serve() {
    try {
      return STORAGE.serve();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Storage storage(Void unused) {
    return new Storage.Builder(STORAGE, Transport.getJsonFactory(), request -> {})
        .setApplicationName("gcs-rewrite-test")
        .build();
  }

  /** The billed operation a recorded request is: class, JSON API method and what it is for. */
  private static String operation(String request) {
    if (request.contains("/.temp-beam-gcs-rewrite-write-check-")) {
      return writeCheckOperation(request);
    }
    if (request.startsWith("POST /upload/")) {
      return "A objects.insert (a temporary file, one resumable upload)";
    }
    if (request.startsWith("PUT /upload/")) {
      return "- upload request inside that one insert";
    }
    if (request.startsWith("POST ") && request.contains("/rewriteTo/")) {
      return "A objects.rewrite (the temporary file to the output)";
    }
    if (request.startsWith("DELETE ") && request.contains("/.temp-beam")) {
      return "free objects.delete (the temporary file)";
    }
    if (request.startsWith("GET /download/storage/v1/b/" + WORK + "/o/")
        && request.contains(" generation=")
        && request.endsWith(" alt=media")) {
      return "B objects.get alt=media (the source's bytes, at its generation)";
    }
    if (request.startsWith("GET /storage/v1/b/" + WORK + "/o/")
        && request.contains(" generation=")) {
      return "B objects.get (the source's metadata, at its generation)";
    }
    if (request.startsWith("GET /storage/v1/b/processed-bucket/o/out/")
        && request.endsWith(".processed")) {
      return "B objects.get (the output's size, once in place)";
    }
    return "unexpected: " + request;
  }

  /** The requests of WritableOutputs' check that the processed bucket takes writes. */
  private static String writeCheckOperation(String request) {
    if (request.startsWith("POST /upload/")) {
      return "A write check: objects.insert (once per worker per 30 s)";
    }
    if (request.startsWith("PUT /upload/")) {
      return "- write check: upload request inside that insert";
    }
    if (request.startsWith("GET /storage/v1/b/processed-bucket/o/")) {
      return "B write check: objects.get (before its delete)";
    }
    if (request.startsWith("DELETE /storage/v1/b/processed-bucket/o/")) {
      return "free write check: objects.delete";
    }
    return "unexpected: " + request;
  }
}
