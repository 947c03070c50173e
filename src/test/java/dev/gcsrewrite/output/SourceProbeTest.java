package dev.gcsrewrite.output;

import static dev.gcsrewrite.output.SourceProbe.Outcome.CHANGED;
import static dev.gcsrewrite.output.SourceProbe.Outcome.MISSING;
import static dev.gcsrewrite.output.SourceProbe.Outcome.READABLE;
import static dev.gcsrewrite.output.SourceProbe.Outcome.UNREADABLE;
import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SourceProbeTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void existingFileIsReadableWithItsSize() throws Exception {
    Files.write(folder.newFolder("b").toPath().resolve("a"), new byte[1234]);
    SourceProbe.Result result = probe("a");
    assertEquals(READABLE, result.outcome());
    assertEquals(1234, result.sizeBytes());
  }

  @Test
  public void absentFileIsMissing() throws Exception {
    folder.newFolder("b");
    assertEquals(MISSING, probe("absent").outcome());
  }

  @Test
  public void directoryIsUnreadable() throws Exception {
    folder.newFolder("b", "dir");
    assertEquals(UNREADABLE, probe("dir").outcome());
  }

  @Test
  public void fileSystemFailuresAreClassified() {
    assertEquals(MISSING, SourceProbe.classify(new NoSuchFileException("x")));
    assertEquals(
        MISSING, SourceProbe.classify(new FileNotFoundException("x (No such file or directory)")));
    assertEquals(
        UNREADABLE, SourceProbe.classify(new FileNotFoundException("x (Permission denied)")));
    assertEquals(UNREADABLE, SourceProbe.classify(new FileNotFoundException("x (Is a directory)")));
    assertEquals(UNREADABLE, SourceProbe.classify(new AccessDeniedException("x")));
  }

  @Test
  public void cloudStorageHttpFailuresAreClassifiedByStatus() {
    assertEquals(MISSING, SourceProbe.classify(http(404)));
    assertEquals(MISSING, SourceProbe.classify(http(410)));
    assertEquals(CHANGED, SourceProbe.classify(http(412)));
    assertEquals(UNREADABLE, SourceProbe.classify(http(403)));
    assertEquals(UNREADABLE, SourceProbe.classify(http(401)));
    assertNull("5xx may pass: retry", SourceProbe.classify(http(503)));
    assertNull("429 may pass: retry", SourceProbe.classify(http(429)));
    assertNull(
        "timeouts may pass: retry",
        SourceProbe.classify(new IOException("read", new SocketTimeoutException("timed out"))));
  }

  private static IOException http(int status) {
    return new IOException(
        "request failed",
        new HttpResponseException.Builder(status, "status", new HttpHeaders()).build());
  }

  /** Probes object {@code objectId} of bucket "b", the temporary folder being the bucket root. */
  private SourceProbe.Result probe(String objectId) throws Exception {
    return SourceProbe.probe(
        new LocalFolderSource(folder.getRoot().toString()), parsed("b", objectId, 1, "m"));
  }
}
