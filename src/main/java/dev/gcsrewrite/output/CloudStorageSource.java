package dev.gcsrewrite.output;

import com.google.api.services.storage.Storage;
import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorage;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorageImpl;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorageOptions;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorageReadOptions;
import com.google.cloud.hadoop.gcsio.StorageResourceId;
import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads sources from Cloud Storage, pinned to the notified generation: the lookup is {@code
 * objects.get} and the read {@code objects.get?alt=media}, both with {@code generation=<g>},
 * through the same Cloud Storage connector Beam reads with (resumable reads, retries). A generation
 * that no longer exists answers 404: missing.
 */
final class CloudStorageSource implements GenerationSource {
  private static final long serialVersionUID = 1L;

  /** Not found is found by reading: no metadata request before every read. */
  private static final GoogleCloudStorageReadOptions READ_OPTIONS =
      GoogleCloudStorageReadOptions.builder().setFastFailOnNotFound(false).build();

  private final SerializableFunction<Void, Storage> storage;
  private transient @Nullable Clients clients;

  /** The JSON API client, and the connector that reads through it. */
  private record Clients(Storage json, GoogleCloudStorage connector) {}

  /**
   * @param storage makes the JSON API client on each worker
   */
  CloudStorageSource(SerializableFunction<Void, Storage> storage) {
    this.storage = storage;
  }

  /**
   * The client Beam itself makes from default options: the worker's application default credentials
   * (its service account on Dataflow).
   */
  static SerializableFunction<Void, Storage> defaultStorage() {
    return unused ->
        Transport.newStorageClient(PipelineOptionsFactory.create().as(GcsOptions.class)).build();
  }

  @Override
  public long sizeOf(GcsNotification n) throws IOException {
    StorageObject object =
        clients()
            .json()
            .objects()
            .get(n.bucket(), n.objectId())
            .setGeneration(n.generation())
            .setFields("generation,size")
            .execute();
    return object.getSize() == null ? -1 : object.getSize().longValue();
  }

  @Override
  public ReadableByteChannel open(GcsNotification n) throws IOException {
    StorageResourceId pinned = new StorageResourceId(n.bucket(), n.objectId(), n.generation());
    return clients().connector().open(pinned, READ_OPTIONS);
  }

  private synchronized Clients clients() {
    if (clients == null) {
      Storage json = storage.apply(null);
      clients =
          new Clients(
              json,
              new GoogleCloudStorageImpl(
                  GoogleCloudStorageOptions.builder().setAppName("gcs-rewrite").build(), json));
    }
    return clients;
  }
}
