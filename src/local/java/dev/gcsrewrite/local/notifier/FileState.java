package dev.gcsrewrite.local.notifier;

import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * What one scan saw of a file. Size and modification time are all a scan looks at: reading every
 * file on every scan to compare content would cost far more than it could catch (a rewrite that
 * keeps both size and time).
 */
record FileState(Path path, long size, FileTime modified) {
  boolean sameVersionAs(FileState other) {
    return size == other.size && modified.equals(other.modified);
  }
}
