package dev.gcsrewrite.location;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settlement's housekeeping for buckets that are local folders: once a generation is completed,
 * the older generations of its object are dropped from the bucket's {@link LocalGenerations} store
 * ({@link LocalGenerations#dropOlder}), so that a versioned local bucket does not keep every
 * generation for good, nor an unversioned one what a restart or a listing left behind.
 *
 * <p>Buckets on Cloud Storage are left alone: their noncurrent generations are the business of the
 * bucket's own lifecycle rules.
 */
public final class SupersededGenerations implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(SupersededGenerations.class);

  private final @Nullable String localBucketRoot;

  /** For the buckets below {@code locations}' bucket root. */
  public SupersededGenerations(ObjectLocations locations) {
    this(locations.bucketRoot().startsWith("gs://") ? null : locations.bucketRoot());
  }

  private SupersededGenerations(@Nullable String localBucketRoot) {
    this.localBucketRoot = localBucketRoot;
  }

  /** Keeps every generation: for settlement tested alone, and buckets on Cloud Storage. */
  public static SupersededGenerations none() {
    return new SupersededGenerations((String) null);
  }

  /**
   * {@code generation} of {@code objectId} is completed: drops the generations older than it. Never
   * throws: a link left behind costs disk space, not correctness.
   */
  public void completed(String bucket, String objectId, long generation) {
    if (localBucketRoot == null) {
      return;
    }
    Path root = Path.of(localBucketRoot);
    if (!LocalGenerations.hasStore(root, bucket)) {
      return;
    }
    String object = bucket + "/" + objectId;
    try {
      List<Long> dropped = LocalGenerations.dropOlder(root, bucket, objectId, generation);
      if (!dropped.isEmpty()) {
        LOG.info(
            "Dropped generations {} of {} from the local generation store: {} is completed",
            dropped,
            object,
            generation);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not drop the generations of {} older than {}: {}", object, generation, e);
    }
  }
}
