package dev.gcsrewrite.reconcile;

import com.google.api.services.storage.Storage;
import com.google.api.services.storage.model.Objects;
import com.google.api.services.storage.model.StorageObject;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Lists a Cloud Storage bucket's live objects with the JSON API's {@code objects.list}: name,
 * generation, metageneration, size, checksums and update time, a page of 1,000 at a time.
 *
 * <p>A scope is split into {@value #BOUNDARIES_COUNT} + 1 ranges of names by the character after
 * the prefix ({@code startOffset}/{@code endOffset}), so that workers list parts of a large bucket
 * at once and no one holds it all; names that share a long common start beyond the prefix land in
 * one range (give several runs narrower {@code --prefix}es to spread them).
 */
public final class CloudStorageLister implements ObjectLister {
  private static final long serialVersionUID = 1L;

  /** Range boundaries: digits, upper and lower case letters, in UTF-8 byte order. */
  static final String BOUNDARIES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private static final int BOUNDARIES_COUNT = 62;
  private static final String FIELDS =
      "nextPageToken,items(name,generation,metageneration,size,contentType,md5Hash,crc32c,updated)";

  private final SerializableFunction<Void, Storage> storage;
  private transient @Nullable Storage client;

  CloudStorageLister(SerializableFunction<Void, Storage> storage) {
    this.storage = storage;
  }

  /** A lister with the client Beam makes from default options (application credentials). */
  public static CloudStorageLister withDefaultClient() {
    return new CloudStorageLister(
        unused ->
            Transport.newStorageClient(PipelineOptionsFactory.create().as(GcsOptions.class))
                .build());
  }

  @Override
  public List<ListingSplit> splits(ListingScope scope) {
    List<ListingSplit> splits = new ArrayList<>(BOUNDARIES.length() + 1);
    String start = null;
    for (char c : BOUNDARIES.toCharArray()) {
      String end = scope.prefix() + c;
      splits.add(new ListingSplit(scope, start, end));
      start = end;
    }
    splits.add(new ListingSplit(scope, start, null));
    return splits;
  }

  @Override
  public void list(ListingSplit split, Consumer<ListedObject> found) throws IOException {
    ListingScope scope = split.scope();
    String pageToken = null;
    do {
      Storage.Objects.List request =
          client()
              .objects()
              .list(scope.bucket())
              .setFields(FIELDS)
              .setMaxResults(1000L)
              .setPageToken(pageToken);
      if (!scope.prefix().isEmpty()) {
        request.setPrefix(scope.prefix());
      }
      if (split.startOffset() != null) {
        request.setStartOffset(split.startOffset());
      }
      if (split.endOffset() != null) {
        request.setEndOffset(split.endOffset());
      }
      Objects page = request.execute();
      if (page.getItems() != null) {
        for (StorageObject item : page.getItems()) {
          ListedObject object = describe(scope.bucket(), item);
          if (scope.inTimeRange(object.updated())) {
            found.accept(object);
          }
        }
      }
      pageToken = page.getNextPageToken();
    } while (pageToken != null);
  }

  static ListedObject describe(String bucket, StorageObject item) {
    return new ListedObject(
        bucket,
        item.getName(),
        item.getGeneration(),
        item.getMetageneration() == null ? 1 : item.getMetageneration(),
        item.getSize() == null ? 0 : item.getSize().longValue(),
        item.getContentType(),
        item.getMd5Hash(),
        item.getCrc32c(),
        item.getUpdated() == null
            ? Instant.EPOCH
            : Instant.ofEpochMilli(item.getUpdated().getValue()));
  }

  private synchronized Storage client() {
    if (client == null) {
      client = storage.apply(null);
    }
    return client;
  }
}
