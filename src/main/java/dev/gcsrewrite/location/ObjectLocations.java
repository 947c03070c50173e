package dev.gcsrewrite.location;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where an object's content is read from, where its result is written, and which objects the
 * pipeline may touch at all.
 *
 * <p>Source: {@code <bucketRoot><bucket>/<objectId>}, where the bucket root is {@code gs://} in
 * production and a local folder in development runs. Output: {@code
 * <outputDirectory><objectId><outputSuffix>}, or {@code <outputDirectory><bucket>/<objectId>
 * <outputSuffix>} when several work buckets are allowed (so that two buckets' objects of one name
 * never share an output). Paths are built as strings and turned into resource IDs without
 * matching, and nothing on the write path matches them either (on Cloud Storage FileIO's final
 * rename is a rewrite of the exact name; locally a glob match that can only find the name itself
 * or files without checksums), so object names with glob characters ({@code * ? [ {}) are
 * written exactly as named.
 *
 * @param bucketRoot ends with "/" (e.g. {@code gs://} or {@code /data/buckets/})
 * @param outputDirectory ends with "/" (e.g. {@code gs://processed/} or {@code /data/out/})
 * @param outputSuffix appended to the object name, e.g. {@code .processed}
 * @param workBuckets the buckets whose notifications are processed, sorted; empty: any bucket
 */
public record ObjectLocations(
    String bucketRoot, String outputDirectory, String outputSuffix, List<String> workBuckets)
    implements Serializable {

  /** Cloud Storage's limit on object names, in UTF-8 bytes. */
  public static final int MAX_OBJECT_NAME_BYTES = 1024;

  /** Longest file name (one path segment) local file systems take, in bytes. */
  public static final int MAX_LOCAL_SEGMENT_BYTES = 255;

  /** Longest local path, in bytes (Linux's PATH_MAX less its terminating NUL). */
  public static final int MAX_LOCAL_PATH_BYTES = 4095;

  /** Prefix of the folders FileIO writes temporary files to, below the output directory. */
  public static final String FILEIO_TEMP_PREFIX = ".temp-beam";

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

  public ResourceId source(String bucket, String objectId) {
    return FileSystems.matchNewResource(sourceSpec(bucket, objectId), false);
  }

  /** The output's name relative to the output directory. */
  public String outputName(String bucket, String objectId) {
    return (workBuckets.size() > 1 ? bucket + "/" : "") + objectId + outputSuffix;
  }

  public String outputSpec(String bucket, String objectId) {
    return outputDirectory + outputName(bucket, objectId);
  }

  /**
   * Whether {@code objectId} of {@code bucket} is one this pipeline writes: an output or one of
   * FileIO's temporary files, below the output directory. Objects elsewhere are the users' own,
   * whatever their names end with.
   */
  public boolean isOwnOutput(String bucket, String objectId) {
    String source = sourceSpec(bucket, objectId);
    if (!source.startsWith(outputDirectory)) {
      return false;
    }
    String relative = source.substring(outputDirectory.length());
    if (relative.endsWith(outputSuffix)) {
      return true;
    }
    for (String segment : relative.split("/")) {
      if (segment.startsWith(FILEIO_TEMP_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why the output of {@code objectId} could not be written under its name, or null if it can: a
   * final object name (on Cloud Storage with the processed prefix) over Cloud Storage's 1024 bytes,
   * refused in local runs too so that they refuse what production would; and in a local folder, a
   * file name over 255 bytes or a path over 4095.
   */
  public @Nullable String outputNameProblem(String bucket, String objectId) {
    String name = outputName(bucket, objectId);
    String objectName = name;
    if (outputDirectory.startsWith("gs://")) {
      String rest = outputDirectory.substring("gs://".length());
      objectName = rest.substring(rest.indexOf('/') + 1) + name;
    }
    int bytes = utf8Length(objectName);
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      return "output object name '"
          + objectName
          + "' would be "
          + bytes
          + " bytes; Cloud Storage allows "
          + MAX_OBJECT_NAME_BYTES;
    }
    if (!isLocal(outputDirectory)) {
      return null;
    }
    for (String segment : name.split("/")) {
      int segmentBytes = utf8Length(segment);
      if (segmentBytes > MAX_LOCAL_SEGMENT_BYTES) {
        return "output file name '"
            + segment
            + "' would be "
            + segmentBytes
            + " bytes; a local folder allows "
            + MAX_LOCAL_SEGMENT_BYTES;
      }
    }
    int pathBytes = utf8Length(outputDirectory + name);
    return pathBytes <= MAX_LOCAL_PATH_BYTES
        ? null
        : "output path would be " + pathBytes + " bytes; the limit is " + MAX_LOCAL_PATH_BYTES;
  }

  /**
   * Why Beam's local file system could not move the output of {@code objectId} into place, or
   * null if it can (always null for Cloud Storage, whose rename takes any name).
   *
   * <p>FileIO's final rename asks the file system whether the destination exists by matching its
   * path, and Beam's local file system matches a path that does not exist yet as a glob: a name
   * the JDK cannot parse as one ({@code ]x[}, {@code a{b}, {@code [b/c]}) throws there, failing the
   * whole bundle of renames. Such names are refused in local runs only.
   */
  public @Nullable String localRenameProblem(String bucket, String objectId) {
    if (!isLocal(outputDirectory)) {
      return null;
    }
    String path = outputDirectory + outputName(bucket, objectId);
    try {
      // As LocalFileSystem builds it: backslashes doubled, the rest taken as glob syntax.
      java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + path.replace("\\", "\\\\"));
      return null;
    } catch (PatternSyntaxException e) {
      return "Beam's local file system matches the output path '"
          + path
          + "' as a glob, and cannot parse it ("
          + e.getDescription()
          + "); Cloud Storage would take this name";
    }
  }

  private static boolean isLocal(String path) {
    return path.startsWith("/");
  }

  private static int utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String withSlash(String path) {
    return path.endsWith("/") ? path : path + "/";
  }
}
