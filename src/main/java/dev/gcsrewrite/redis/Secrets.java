package dev.gcsrewrite.redis;

import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reads secrets by reference, once per JVM until told the value may have changed.
 *
 * <ul>
 *   <li>{@code projects/<p>/secrets/<s>/versions/<v>}: a Secret Manager version, on Google Cloud;
 *   <li>{@code file:<path>}: a file, for local development.
 * </ul>
 *
 * <p>Values are cached, never logged, and never part of anything serialised: the reference travels,
 * the value stays on the worker.
 */
public final class Secrets {
  private static final Pattern SECRET_VERSION =
      Pattern.compile("projects/[^/]+/secrets/[^/]+/versions/[^/]+");
  private static final String FILE = "file:";
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private Secrets() {}

  /** Whether {@code reference} has one of the two accepted forms. */
  public static boolean isReference(String reference) {
    return SECRET_VERSION.matcher(reference).matches()
        || (reference.startsWith(FILE) && reference.length() > FILE.length());
  }

  /**
   * The secret's value, less one trailing line break (files and {@code gcloud secrets versions add
   * --data-file} often end with one).
   *
   * @throws IOException if it cannot be read; the message names the reference, not the value
   */
  public static String read(String reference) throws IOException {
    if (!CACHE.containsKey(reference)) {
      refresh(reference);
    }
    return CACHE.get(reference);
  }

  /**
   * Reads the secret again (Redis refused it: it may have been rotated); returns whether it
   * changed.
   *
   * @throws IOException if it cannot be read; the cached value is kept
   */
  public static boolean refresh(String reference) throws IOException {
    String value = fetch(reference).replaceFirst("\r?\n\\z", "");
    return !value.equals(CACHE.put(reference, value));
  }

  private static String fetch(String reference) throws IOException {
    if (reference.startsWith(FILE)) {
      return Files.readString(Path.of(reference.substring(FILE.length())), StandardCharsets.UTF_8);
    }
    if (!SECRET_VERSION.matcher(reference).matches()) {
      throw new IOException(
          "'" + reference + "' is not projects/<p>/secrets/<s>/versions/<v> or file:<path>");
    }
    try (SecretManagerServiceClient client = SecretManagerServiceClient.create()) {
      return client
          .accessSecretVersion(SecretVersionName.parse(reference))
          .getPayload()
          .getData()
          .toStringUtf8();
    } catch (RuntimeException e) {
      throw new IOException("cannot read secret " + reference + ": " + e.getMessage(), e);
    }
  }
}
