package dev.gcsrewrite.output;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The FileIO sink alone, on a plain channel. */
public class RewritingSinkTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private ObjectLocations locations;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private RewritingSink sink;

  @Before
  public void openSink() throws IOException {
    Path root = folder.newFolder("buckets").toPath();
    Files.createDirectories(root.resolve("work"));
    locations = new ObjectLocations(root.toString(), folder.getRoot() + "/out", ".processed");
    // FileIO serializes the sink factory to workers: use the sink as a worker would.
    sink =
        SerializableUtils.clone(
            new RewritingSink(new TokenRewriter(RewriteRules.parse("AWS=GCP")), locations));
    sink.open(Channels.newChannel(output));
  }

  @Test
  public void sourceIsStreamedThroughTheRewriter() throws IOException {
    put("a", "AWS and AWS");
    sink.write(notification("a", 1));
    sink.flush();
    assertEquals("GCP and GCP", output.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void secondCopyOfTheSameNotificationIsNotAppended() throws IOException {
    put("a", "AWS");
    sink.write(notification("a", 1));
    sink.write(notification("a", 1));
    sink.flush();
    assertEquals("GCP", output.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void anotherObjectInTheSameSinkIsRefused() throws IOException {
    put("a", "AWS");
    put("b", "AWS");
    sink.write(notification("a", 1));
    assertThrows(IllegalStateException.class, () -> sink.write(notification("b", 1)));
  }

  @Test
  public void sourceThatVanishedLeavesAnEmptyOutputRatherThanFailing() throws IOException {
    sink.write(notification("gone", 1));
    sink.flush();
    assertEquals(0, output.size());
  }

  private void put(String objectId, String content) throws IOException {
    Files.writeString(
        Path.of(locations.bucketRoot(), "work", objectId), content, StandardCharsets.UTF_8);
  }

  private static GcsNotification notification(String objectId, long generation) {
    return new GcsNotification(
        "work",
        objectId,
        generation,
        GcsNotification.OBJECT_FINALIZE,
        GcsNotification.PAYLOAD_NONE,
        "2026-11-20T09:15:02Z",
        null,
        null,
        null,
        null,
        null,
        null,
        "m1",
        Instant.parse("2026-11-20T09:15:03Z"),
        new OriginalMessage(new byte[0], new TreeMap<>(), "m1"));
  }
}
