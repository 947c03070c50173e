package dev.gcsrewrite.location;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.StringJoiner;

/**
 * The objects of a bucket that is a local folder: every regular file below it, named by its path
 * relative to the folder joined with {@code /}. One walk for everyone who lists a local bucket (the
 * local stack's notifier, the reconcile command's lister), so that both see the same objects under
 * the same names, and neither fails when a file or folder goes while it walks: a file being moved
 * or deleted is simply not there any more. Symbolic links are not followed: a link is no object.
 */
public final class BucketFolder {
  private BucketFolder() {}

  /** What the walk hands over for each object. */
  @FunctionalInterface
  public interface Visitor {
    void object(String name, Path file, BasicFileAttributes attributes);
  }

  /**
   * Visits every object below {@code folder}.
   *
   * @throws IOException if a folder that exists cannot be read: a partial listing would make the
   *     missing files look deleted, so the walk fails instead
   */
  public static void walk(Path folder, Visitor visitor) throws IOException {
    Files.walkFileTree(
        folder,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile()) {
              visitor.object(objectName(folder, file), file, attributes);
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

  /** Joined element by element, so the name uses {@code /} whatever the platform's separator. */
  static String objectName(Path folder, Path file) {
    StringJoiner name = new StringJoiner("/");
    for (Path element : folder.relativize(file)) {
      name.add(element.toString());
    }
    return name.toString();
  }
}
