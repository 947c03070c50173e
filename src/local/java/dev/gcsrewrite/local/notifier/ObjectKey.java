package dev.gcsrewrite.local.notifier;

import java.util.Comparator;

/**
 * An object name in a bucket, across its generations: what the notifier keeps state for.
 *
 * @param bucket the bucket folder's name
 * @param name the path below the bucket folder with {@code /} separators
 */
record ObjectKey(String bucket, String name) implements Comparable<ObjectKey> {
  private static final Comparator<ObjectKey> ORDER =
      Comparator.comparing(ObjectKey::bucket).thenComparing(ObjectKey::name);

  /** Bucket, then name: announcements of one scan go out in a predictable order. */
  @Override
  public int compareTo(ObjectKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return bucket + "/" + name;
  }
}
