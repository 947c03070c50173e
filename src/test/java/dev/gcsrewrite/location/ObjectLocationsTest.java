package dev.gcsrewrite.location;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** Where sources and outputs are, which objects are ours, and which output names can exist. */
public class ObjectLocationsTest {
  private static final ObjectLocations SAME_BUCKET =
      new ObjectLocations("gs://", "gs://work/out/", ".processed", List.of("work"));

  @Test
  public void ownOutputsAreOnlyThoseBelowTheOutputDirectory() {
    assertTrue(SAME_BUCKET.isOwnOutput("work", "out/a.txt.processed"));
    assertTrue(SAME_BUCKET.isOwnOutput("work", "out/.temp-beam-3f2a/9c1d"));
    assertTrue(SAME_BUCKET.isOwnOutput("work", "out/deep/.temp-beam-3f2a/9c1d"));
    // The users' own objects, whatever their names end with.
    assertFalse(SAME_BUCKET.isOwnOutput("work", "a.txt.processed"));
    assertFalse(SAME_BUCKET.isOwnOutput("work", "in/.temp-beam-3f2a/9c1d"));
    assertFalse(SAME_BUCKET.isOwnOutput("work", "out/a.txt"));
    assertFalse(SAME_BUCKET.isOwnOutput("other", "out/a.txt.processed"));
    assertFalse(SAME_BUCKET.isOwnOutput("work", "outside/a.processed"));
  }

  @Test
  public void severalWorkBucketsGetAnOutputFolderEach() {
    ObjectLocations two =
        new ObjectLocations("gs://", "gs://proc/", ".processed", List.of("b2", "b1"));
    assertEquals(List.of("b1", "b2"), two.workBuckets());
    assertEquals("gs://proc/b1/a/x.processed", two.outputSpec("b1", "a/x"));
    assertEquals("gs://proc/b2/a/x.processed", two.outputSpec("b2", "a/x"));
    assertTrue(two.isWorkBucket("b1"));
    assertFalse(two.isWorkBucket("b3"));
    assertEquals("gs://work/out/a/x.processed", SAME_BUCKET.outputSpec("work", "a/x"));
    assertTrue(new ObjectLocations("gs://", "gs://proc/", ".p").isWorkBucket("anything"));
  }

  @Test
  public void cloudStorageOutputNamesCountTheProcessedPrefix() {
    // "out/" (4) + name + ".processed" (10) may not pass 1024 bytes.
    assertNull(SAME_BUCKET.outputNameProblem("work", "n".repeat(1010)));
    assertThat(
        SAME_BUCKET.outputNameProblem("work", "n".repeat(1011)),
        containsString("would be 1025 bytes; Cloud Storage allows 1024"));
    assertThat(
        SAME_BUCKET.outputNameProblem("work", "é".repeat(506)),
        containsString("would be 1026 bytes"));
  }

  @Test
  public void localOutputNamesKeepToFileNameAndPathLimits() {
    ObjectLocations local = new ObjectLocations("/data/buckets/", "/data/out/", ".processed");
    assertNull(local.outputNameProblem("b", "d/" + "n".repeat(245)));
    assertThat(
        local.outputNameProblem("b", "d/" + "n".repeat(246)),
        containsString("would be 256 bytes; a local folder allows 255"));
    // Cloud Storage's limit holds in local runs too: they refuse what production would.
    assertThat(
        local.outputNameProblem("b", ("d".repeat(200) + "/").repeat(5) + "x".repeat(10)),
        containsString("would be 1025 bytes; Cloud Storage allows 1024"));
    ObjectLocations deepRoot =
        new ObjectLocations("/b/", "/" + ("r".repeat(250) + "/").repeat(16), ".processed");
    assertThat(
        deepRoot.outputNameProblem("b", "d/".repeat(100) + "x"),
        containsString("output path would be"));
  }

  @Test
  public void localRenamesRefuseOnlyWhatTheLocalFileSystemCannotMatch() {
    ObjectLocations local = new ObjectLocations("/data/buckets/", "/data/out/", ".processed");
    for (String fine :
        List.of("data*.csv", "q?.csv", "[ab].csv", "{a,b}.csv", "]x[a].csv", "a\\b")) {
      assertNull(fine, local.localRenameProblem("b", fine));
    }
    assertThat(local.localRenameProblem("b", "]x[.csv"), containsString("Missing ']"));
    assertThat(local.localRenameProblem("b", "a{b.csv"), containsString("Missing '}"));
    assertThat(local.localRenameProblem("b", "a[b/c].csv"), containsString("glob"));
    assertNull(SAME_BUCKET.localRenameProblem("work", "]x[.csv"));
  }

  @Test
  public void sourcesAreBelowTheBucketRoot() {
    assertEquals("gs://work/a b/c*.txt", SAME_BUCKET.sourceSpec("work", "a b/c*.txt"));
    assertEquals(
        "/data/buckets/work/x",
        new ObjectLocations("/data/buckets", "/data/out", ".p").sourceSpec("work", "x"));
  }
}
