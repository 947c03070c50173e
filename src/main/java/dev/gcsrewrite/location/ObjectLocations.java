package dev.gcsrewrite.location;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where an object is read from and written to, and which objects the pipeline may touch at all.
 *
 * <ul>
 *   <li>Source: {@code <bucketRoot><bucket>/<objectId>}.
 *   <li>Output: {@code <outputDirectory>[<bucket>/]<objectId><outputSuffix>}; the bucket's folder
 *       only with several work buckets, so that two buckets' objects of one name never share one.
 * </ul>
 *
 * <p>Paths are built as strings and never matched, so names with glob characters ({@code * ? [
 * {}) are written exactly as named; {@link #localRenameProblem} names the one exception.
 *
 * @param bucketRoot ends with "/" (e.g. {@code gs://} or {@code /data/buckets/})
 * @param outputDirectory ends with "/" (e.g. {@code gs://processed/} or {@code /data/out/})
 * @param outputSuffix appended to the object name, e.g. {@code .processed}
 * @param workBuckets the buckets whose notifications are processed, sorted; empty: any bucket
 */
public record ObjectLocations(
    String bucketRoot, String outputDirectory, String outputSuffix, List<String> workBuckets)
    implements Serializable {

  /** Prefix of the folders FileIO writes temporary files to, below the output directory. */
  public static final String FILEIO_TEMP_PREFIX = ".temp-beam";

  private static final int MAX_OBJECT_NAME_BYTES = 1024; // Cloud Storage's limit
  private static final int MAX_LOCAL_SEGMENT_BYTES = 255; // one file name
  private static final int MAX_LOCAL_PATH_BYTES = 4095; // Linux's PATH_MAX less its NUL

  public ObjectLocations {
    bucketRoot = withSlash(bucketRoot);
    outputDirectory = withSlash(outputDirectory);
    workBuckets = List.copyOf(new TreeSet<>(workBuckets));
  }

  /** Locations that accept every bucket (local runs, and tests of one bucket). */
  public ObjectLocations(String bucketRoot, String outputDirectory, String outputSuffix) {
    this(bucketRoot, outputDirectory, outputSuffix, List.of());
  }

  /** Whether notifications of {@code bucket} are to be processed. */
  public boolean isWorkBucket(String bucket) {
    return workBuckets.isEmpty() || workBuckets.contains(bucket);
  }

  public String sourceSpec(String bucket, String objectId) {
    return bucketRoot + bucket + "/" + objectId;
  }

  /** The output's name relative to the output directory. */
  public String outputName(String bucket, String objectId) {
    return (workBuckets.size() > 1 ? bucket + "/" : "") + objectId + outputSuffix;
  }

  public String outputSpec(String bucket, String objectId) {
    return outputDirectory + outputName(bucket, objectId);
  }

  /**
   * Whether the object is one this pipeline writes: an output or one of FileIO's temporary files,
   * below the output directory. Objects elsewhere are the users' own, whatever their names.
   */
  public boolean isOwnOutput(String bucket, String objectId) {
    String source = sourceSpec(bucket, objectId);
    if (!source.startsWith(outputDirectory)) {
      return false;
    }
    String relative = source.substring(outputDirectory.length());
    return relative.endsWith(outputSuffix)
        || Arrays.stream(relative.split("/")).anyMatch(s -> s.startsWith(FILEIO_TEMP_PREFIX));
  }

  /**
   * Why the output could not be written under its name, or null if it can.
   *
   * <ul>
   *   <li>Its object name (with the processed prefix on Cloud Storage) is over Cloud Storage's 1024
   *       bytes: refused in local runs too, so that they refuse what production would.
   *   <li>In a local folder: a file name over 255 bytes, or a path over 4095.
   * </ul>
   */
  public @Nullable String outputNameProblem(String bucket, String objectId) {
    String name = outputName(bucket, objectId);
    String objectName =
        outputDirectory.startsWith("gs://")
            ? outputDirectory.substring(outputDirectory.indexOf('/', "gs://".length()) + 1) + name
            : name;
    if (utf8Length(objectName) > MAX_OBJECT_NAME_BYTES) {
      return String.format(
          "output object name '%s' would be %d bytes; Cloud Storage allows %d",
          objectName, utf8Length(objectName), MAX_OBJECT_NAME_BYTES);
    }
    if (!isLocal()) {
      return null;
    }
    for (String segment : name.split("/")) {
      if (utf8Length(segment) > MAX_LOCAL_SEGMENT_BYTES) {
        return String.format(
            "output file name '%s' would be %d bytes; a local folder allows %d",
            segment, utf8Length(segment), MAX_LOCAL_SEGMENT_BYTES);
      }
    }
    int pathBytes = utf8Length(outputDirectory + name);
    return pathBytes <= MAX_LOCAL_PATH_BYTES
        ? null
        : "output path would be " + pathBytes + " bytes; the limit is " + MAX_LOCAL_PATH_BYTES;
  }

  /**
   * Why Beam's local file system could not move the output into place, or null if it can (always
   * on Cloud Storage). FileIO's final rename matches the destination's path, which Beam's local file
   * system takes as a glob: a name the JDK cannot parse as one ({@code ]x[}, {@code a{b}) fails the
   * whole bundle.
   */
  public @Nullable String localRenameProblem(String bucket, String objectId) {
    if (!isLocal()) {
      return null;
    }
    String path = outputSpec(bucket, objectId);
    try {
      // As LocalFileSystem builds it: backslashes doubled, the rest taken as glob syntax.
      FileSystems.getDefault().getPathMatcher("glob:" + path.replace("\\", "\\\\"));
      return null;
    } catch (PatternSyntaxException e) {
      return "Beam's local file system matches the output path '"
          + path
          + "' as a glob, and cannot parse it ("
          + e.getDescription()
          + "); Cloud Storage would take this name";
    }
  }

  private boolean isLocal() {
    return outputDirectory.startsWith("/");
  }

  private static int utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String withSlash(String path) {
    return path.endsWith("/") ? path : path + "/";
  }
}
