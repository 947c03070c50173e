package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.util.SerializableUtils;
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
    sink.write(parsed("work", "a", 1, "m1"));
    sink.flush();
    assertEquals("GCP and GCP", output.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void secondCopyOfTheSameNotificationIsNotAppended() throws IOException {
    put("a", "AWS");
    sink.write(parsed("work", "a", 1, "m1"));
    sink.write(parsed("work", "a", 1, "m1"));
    sink.flush();
    assertEquals("GCP", output.toString(StandardCharsets.UTF_8));
  }

  @Test
  public void anotherObjectInTheSameSinkIsRefused() throws IOException {
    put("a", "AWS");
    put("b", "AWS");
    sink.write(parsed("work", "a", 1, "m1"));
    assertThrows(IllegalStateException.class, () -> sink.write(parsed("work", "b", 1, "m1")));
  }

  @Test
  public void sourceThatVanishedLeavesAnEmptyOutputRatherThanFailing() throws IOException {
    sink.write(parsed("work", "gone", 1, "m1"));
    sink.flush();
    assertEquals(0, output.size());
  }

  private void put(String objectId, String content) throws IOException {
    Files.writeString(
        Path.of(locations.bucketRoot(), "work", objectId), content, StandardCharsets.UTF_8);
  }
}
