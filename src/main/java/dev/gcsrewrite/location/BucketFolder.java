package dev.gcsrewrite.location;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The objects of a bucket that is a local folder: every regular file below it, named by its path
 * relative to the folder with {@code /} between folders.
 *
 * <p>One walk for everyone who lists a local bucket (the local stack's notifier, the reconcile
 * command's lister), so that they see the same objects under the same names. Symbolic links are no
 * objects and are not followed.
 */
public final class BucketFolder {
  private BucketFolder() {}

  /** What the walk hands over for each object. */
  @FunctionalInterface
  public interface Visitor {
    void object(String name, Path file, BasicFileAttributes attributes);
  }

  /**
   * Visits every object below {@code folder}. A file or folder that goes while it walks (moved,
   * deleted) is simply not there any more.
   *
   * @throws IOException if a folder that exists cannot be read: a partial listing would make the
   *     missing files look deleted
   */
  public static void walk(Path folder, Visitor visitor) throws IOException {
    Files.walkFileTree(
        folder,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile()) {
              String name = folder.relativize(file).toString();
              visitor.object(name.replace(File.separatorChar, '/'), file, attributes);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }
}
