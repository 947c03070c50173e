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
 * Lists a Cloud Storage bucket's live objects with the JSON API's {@code objects.list}, a page of
 * 1,000 at a time.
 *
 * <p>A scope is split into 63 parts by the character after the prefix ({@code startOffset}, {@code
 * endOffset}), so that workers list parts of a large bucket at once. Names that share a long start
 * beyond the prefix land in one part: give several runs narrower {@code --prefix}es to spread them.
 */
public final class CloudStorageLister implements ObjectLister {
  private static final long serialVersionUID = 1L;

  /** Part boundaries: digits, upper and lower case letters, in UTF-8 byte order. */
  private static final String BOUNDARIES =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

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
  public List<ListingScope> parts(ListingScope scope) {
    List<ListingScope> parts = new ArrayList<>();
    String start = null;
    for (char c : BOUNDARIES.toCharArray()) {
      String end = scope.prefix() + c;
      parts.add(scope.part(start, end));
      start = end;
    }
    parts.add(scope.part(start, null));
    return parts;
  }

  @Override
  public void list(ListingScope part, Consumer<ListedObject> found) throws IOException {
    String pageToken = null;
    do {
      Storage.Objects.List request =
          client()
              .objects()
              .list(part.bucket())
              .setFields(FIELDS)
              .setMaxResults(1000L)
              .setPageToken(pageToken)
              .setStartOffset(part.startOffset())
              .setEndOffset(part.endOffset())
              .setPrefix(part.prefix().isEmpty() ? null : part.prefix());
      Objects page = request.execute();
      for (StorageObject item :
          page.getItems() == null ? List.<StorageObject>of() : page.getItems()) {
        ListedObject object =
            new ListedObject(
                part.bucket(),
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
        if (part.inTimeRange(object.updated())) {
          found.accept(object);
        }
      }
      pageToken = page.getNextPageToken();
    } while (pageToken != null);
  }

  private synchronized Storage client() {
    if (client == null) {
      client = storage.apply(null);
    }
    return client;
  }
}
