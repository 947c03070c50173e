package dev.gcsrewrite.output;

import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.servers.RecordingStorage;
import java.util.List;
import org.apache.beam.sdk.extensions.gcp.storage.GcsResourceId;
import org.apache.beam.sdk.extensions.gcp.util.gcsfs.GcsPath;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.junit.Before;
import org.junit.Test;

/**
 * What the write path does on Cloud Storage, where no emulator runs here: the resource IDs FileIO
 * builds for our outputs, and the requests Beam's storage client sends for FileIO's final rename.
 */
public class CloudStorageWritePathTest {
  private static final ObjectLocations LOCATIONS =
      new ObjectLocations("gs://", "gs://processed-bucket/out/", ".processed");

  private final RecordingStorage storage = new RecordingStorage();

  @Before
  public void useRecordingStorage() {
    storage.install();
  }

  @Test
  public void outputOfANameWithGlobCharactersIsExactlyThatObject() {
    for (String name :
        List.of(
            "data*.csv",
            "q?[1].csv",
            "{a,b}/x]y.csv",
            "dir/sub dir/é😀 #1%2F.csv",
            "back\\\\slash+plus.csv")) {
      ResourceId output = finalResource(name);
      assertEquals(name, GcsResourceId.class, output.getClass());
      // What Beam's storage client addresses: the resource ID's string, parsed back.
      GcsPath path = GcsPath.fromUri(output.toString());
      assertEquals(name, "processed-bucket", path.getBucket());
      assertEquals(name, "out/" + name + ".processed", path.getObject());
      assertEquals(name, null, LOCATIONS.localRenameProblem("work-bucket", name));
    }
  }

  @Test
  public void finalRenameRewritesTheExactNameAndNeverListsOrMatches() throws Exception {
    // FileIO's temporary file and the final name of object "data*.csv".
    ResourceId temp =
        FileSystems.matchNewResource("gs://processed-bucket/out/.temp-beam-1/5d0e-f00d", false);
    ResourceId output = finalResource("data*.csv");

    // Exactly the call FileBasedSink makes to move temporary files into place.
    FileSystems.rename(
        List.of(temp),
        List.of(output),
        StandardMoveOptions.IGNORE_MISSING_FILES,
        StandardMoveOptions.SKIP_IF_DESTINATION_EXISTS);

    assertEquals(
        List.of(
            "POST /storage/v1/b/processed-bucket/o/out/.temp-beam-1/5d0e-f00d"
                + "/rewriteTo/b/processed-bucket/o/out/data*.csv.processed",
            "DELETE /storage/v1/b/processed-bucket/o/out/.temp-beam-1/5d0e-f00d"),
        storage.requests());
  }

  @Test
  public void lineTerminatorInANameMakesBeamTakeAGsPathForALocalFile() {
    // Why such names are dead-lettered at parse time (StorageNames): the scheme is lost.
    assertEquals("gs", FileSystems.matchNewResource("gs://bucket/a b", false).getScheme());
    for (String terminator : List.of("\u0085", "\u2028", "\u2029")) {
      assertEquals(
          "file",
          FileSystems.matchNewResource("gs://bucket/a" + terminator + "b", false).getScheme());
    }
  }

  /**
   * The final file FileIO names for object {@code name}, built as FileIO builds it (its naming's
   * string parsed by {@code FileSystems.matchNewResource}); it must be the name resolved as a file
   * in the output directory, so that a glob character is never read as a pattern.
   */
  private static ResourceId finalResource(String name) {
    String outputName = LOCATIONS.outputName("work-bucket", name);
    Claim claim = new Claim(Notifications.parsed("work-bucket", name, 1, "m1"), 1);
    FileIO.Write.FileNaming naming =
        FileIO.Write.relativeFileNaming(
            StaticValueProvider.of(LOCATIONS.outputDirectory()),
            WriteProcessedObjects.outputNaming(LOCATIONS).apply(claim));
    String spec =
        naming.getFilename(
            GlobalWindow.INSTANCE, PaneInfo.NO_FIRING, 1, 0, Compression.UNCOMPRESSED);
    ResourceId resource = FileSystems.matchNewResource(spec, false);
    assertEquals(
        name,
        FileSystems.matchNewResource(LOCATIONS.outputDirectory(), true)
            .resolve(outputName, StandardResolveOptions.RESOLVE_FILE),
        resource);
    return resource;
  }
}
