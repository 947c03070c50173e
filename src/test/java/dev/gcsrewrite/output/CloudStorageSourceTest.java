package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.services.storage.Storage;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import dev.gcsrewrite.testing.servers.RecordingStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.junit.Test;

/**
 * Reads from Cloud Storage pinned to the notified generation, at the level of the storage client's
 * requests (no emulator runs here): every lookup and read names the generation, and a generation
 * that no longer exists is missing, never another generation's content.
 */
public class CloudStorageSourceTest {
  private static final RecordingStorage STORAGE = new RecordingStorage();
  private static final String BUCKET = "work-bucket";

  private final CloudStorageSource source =
      new CloudStorageSource(
          unused ->
              new Storage.Builder(STORAGE, Transport.getJsonFactory(), request -> {})
                  .setApplicationName("test")
                  .build());

  @Test
  public void lookupAndReadNameTheNotifiedGeneration() throws IOException {
    STORAGE.put(BUCKET, "dir/a b*.txt", 11, bytes("AWS eleven"));
    STORAGE.put(BUCKET, "dir/a b*.txt", 12, bytes("AWS twelve, the live one"));
    GcsNotification eleven = parsed(BUCKET, "dir/a b*.txt", 11, "m1");
    int before = STORAGE.requests().size();

    assertEquals(10, source.sizeOf(eleven));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ReadableByteChannel in = source.open(eleven)) {
      new TokenRewriter(RewriteRules.parse("AWS=GCP")).rewrite(in, Channels.newChannel(out));
    }

    assertEquals("GCP eleven", out.toString(StandardCharsets.UTF_8));
    List<String> requests = STORAGE.requests().subList(before, STORAGE.requests().size());
    assertEquals(
        List.of(
            "GET /storage/v1/b/work-bucket/o/dir/a b*.txt generation=11",
            "GET /download/storage/v1/b/work-bucket/o/dir/a b*.txt generation=11 alt=media"),
        requests);
  }

  @Test
  public void generationThatNoLongerExistsIsMissingEvenWhenANewerOneDoes() {
    STORAGE.put(BUCKET, "b.txt", 22, bytes("AWS the newer generation"));
    GcsNotification gone = parsed(BUCKET, "b.txt", 21, "m1");

    IOException lookup = assertThrows(IOException.class, () -> source.sizeOf(gone));
    assertEquals(SourceProbe.Outcome.MISSING, SourceProbe.classify(lookup));
    IOException read =
        assertThrows(
            IOException.class,
            () -> {
              try (ReadableByteChannel in = source.open(gone)) {
                in.read(java.nio.ByteBuffer.allocate(16));
              }
            });
    assertEquals(SourceProbe.Outcome.MISSING, SourceProbe.classify(read));
  }
}
