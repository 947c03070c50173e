package dev.gcsrewrite.reconcile;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Lists the current generations of a bucket's objects, streaming: nothing holds the whole bucket.
 */
public interface ObjectLister extends Serializable {
  /** Parts of {@code scope} that can be listed independently, together exactly the scope. */
  List<ListingScope> parts(ListingScope scope);

  /** Passes each current generation of {@code part} to {@code found}, in name order. */
  void list(ListingScope part, Consumer<ListedObject> found) throws IOException;

  /** The lister for buckets below {@code bucketRoot}: {@code gs://} or a local folder. */
  static ObjectLister forBucketRoot(String bucketRoot) {
    return bucketRoot.startsWith("gs://")
        ? CloudStorageLister.withDefaultClient()
        : new LocalFolderLister(bucketRoot);
  }

  /**
   * The lister for buckets below {@code bucketRoot} that changes nothing anywhere, for a dry run:
   * on local folders it keeps no generation in the store ({@link LocalFolderLister}).
   */
  static ObjectLister readOnly(String bucketRoot) {
    return bucketRoot.startsWith("gs://")
        ? CloudStorageLister.withDefaultClient()
        : new LocalFolderLister(bucketRoot, true);
  }
}
