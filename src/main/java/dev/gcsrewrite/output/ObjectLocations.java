package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotification;
import java.io.Serializable;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Where an object's content is read from and where its result is written.
 *
 * <p>Source: {@code <bucketRoot><bucket>/<objectId>}, where the bucket root is {@code gs://} in
 * production and a local folder in development runs. Output: {@code
 * <outputDirectory><objectId><outputSuffix>}. Paths are built as strings and turned into resource
 * IDs without matching, so object names with glob characters ({@code * ? [ {}) are never
 * expanded.
 *
 * @param bucketRoot ends with "/" (e.g. {@code gs://} or {@code /data/buckets/})
 * @param outputDirectory ends with "/" (e.g. {@code gs://processed/} or {@code /data/out/})
 * @param outputSuffix appended to the object name, e.g. {@code .processed}
 */
public record ObjectLocations(String bucketRoot, String outputDirectory, String outputSuffix)
    implements Serializable {

  public ObjectLocations {
    bucketRoot = withSlash(bucketRoot);
    outputDirectory = withSlash(outputDirectory);
  }

  public String sourceSpec(GcsNotification notification) {
    return bucketRoot + notification.bucket() + "/" + notification.objectId();
  }

  public ResourceId source(GcsNotification notification) {
    return FileSystems.matchNewResource(sourceSpec(notification), false);
  }

  /** The output's name relative to the output directory. */
  public String outputName(GcsNotification notification) {
    return notification.objectId() + outputSuffix;
  }

  public String outputSpec(GcsNotification notification) {
    return outputDirectory + outputName(notification);
  }

  private static String withSlash(String path) {
    return path.endsWith("/") ? path : path + "/";
  }
}
