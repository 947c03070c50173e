package dev.gcsrewrite.benchmark.measure;

import dev.gcsrewrite.local.WorkGenerator;
import dev.gcsrewrite.local.notifier.StorageNotifications;
import dev.gcsrewrite.local.notifier.StoredObject;
import dev.gcsrewrite.location.LocalGenerations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * New objects in a local bucket, announced as Cloud Storage announces them, the way the local
 * stack's notifier does it: the work generator's files (at most 2 KiB of base64 text with tokens)
 * written into a folder of the bucket, each file's modification time in microseconds as its
 * generation, the generation kept in the bucket's {@link LocalGenerations} store (which the
 * pipeline's pinned read reads), and an {@code OBJECT_FINALIZE} message in Cloud Storage's
 * JSON_API_V1 format describing it (size, MD5, CRC32C).
 */
public final class NotifiedObjects {
  /** One object: its name in the bucket, its file, its generation, the notification. */
  public record NotifiedObject(
      String objectId, Path file, long generation, long size, PubsubMessage notification) {}

  private NotifiedObjects() {}

  /**
   * Writes {@code count} new objects named {@code <folder>/work0001...} into {@code bucket} below
   * {@code bucketRoot} and returns them with their notifications.
   */
  public static List<NotifiedObject> write(
      Path bucketRoot, String bucket, String folder, int count, long seed) throws IOException {
    List<WorkGenerator.WorkObject> files =
        WorkGenerator.write(bucketRoot.resolve(bucket).resolve(folder), count, seed);
    List<NotifiedObject> objects = new ArrayList<>(files.size());
    for (WorkGenerator.WorkObject file : files) {
      String objectId = folder + "/" + file.name();
      long generation =
          Math.max(1, Files.getLastModifiedTime(file.path()).to(TimeUnit.MICROSECONDS));
      LocalGenerations.keep(bucketRoot, bucket, objectId, generation, file.path());
      StoredObject stored =
          StoredObject.read(
              LocalGenerations.path(bucketRoot, bucket, objectId, generation),
              bucket,
              objectId,
              generation);
      objects.add(
          new NotifiedObject(
              objectId,
              file.path(),
              generation,
              stored.size(),
              StorageNotifications.finalized(stored, null)));
    }
    return objects;
  }

  /** The notifications of {@code objects}, in order. */
  public static List<PubsubMessage> notifications(List<NotifiedObject> objects) {
    return objects.stream().map(NotifiedObject::notification).toList();
  }
}
