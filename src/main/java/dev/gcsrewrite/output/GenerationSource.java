package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotification;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.ReadableByteChannel;

/**
 * Where the content of a notified generation is read: exactly that generation, never another. On
 * Cloud Storage the generation is named in every request; on a local folder it is kept by {@link
 * dev.gcsrewrite.location.LocalGenerations}. When the generation no longer exists (overwritten in a
 * bucket without versioning, or deleted), reading it fails as missing: the work ends skipped, never
 * with another generation's content.
 */
interface GenerationSource extends Serializable {

  /**
   * Looks for the generation once: its size when it exists.
   *
   * @throws IOException when it does not exist, cannot be read, or the lookup failed ({@link
   *     SourceProbe#classify} tells which)
   */
  long sizeOf(GcsNotification notification) throws IOException;

  /** Opens the generation's content; fails as {@link #sizeOf} does. */
  ReadableByteChannel open(GcsNotification notification) throws IOException;
}
