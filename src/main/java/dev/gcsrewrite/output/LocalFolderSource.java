package dev.gcsrewrite.output;

import dev.gcsrewrite.location.LocalGenerations;
import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Reads sources from buckets that are local folders: the notified generation from the bucket's
 * {@link LocalGenerations} store when it has one, else the file as it is (whose content the writer
 * checks against the notification's size and checksums).
 */
final class LocalFolderSource implements GenerationSource {
  private static final long serialVersionUID = 1L;

  private final String bucketRoot;

  LocalFolderSource(String bucketRoot) {
    this.bucketRoot = bucketRoot;
  }

  @Override
  public long sizeOf(GcsNotification n) throws IOException {
    try (ReadableByteChannel channel = open(n)) {
      return channel instanceof SeekableByteChannel seekable ? seekable.size() : -1;
    }
  }

  @Override
  public ReadableByteChannel open(GcsNotification n) throws IOException {
    // Beam's local file system: it reports a folder as "(Is a directory)", which SourceProbe
    // classifies as unreadable.
    return FileSystems.open(FileSystems.matchNewResource(path(n).toString(), false));
  }

  Path path(GcsNotification n) {
    Path root = Path.of(bucketRoot);
    return LocalGenerations.hasStore(root, n.bucket())
        ? LocalGenerations.path(root, n.bucket(), n.objectId(), n.generation())
        : root.resolve(n.bucket()).resolve(n.objectId());
  }
}
