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
 * <p>Two forms: a Secret Manager version, {@code projects/<p>/secrets/<s>/versions/<v>} (on Google
 * Cloud), and {@code file:<path>} (local development). Values are cached, never logged, and never
 * part of anything serialised: the reference travels, the value stays on the worker.
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
   * The secret's value, with one trailing line break removed (files and {@code gcloud secrets
   * versions add --data-file} often end with one).
   *
   * @throws IOException if it cannot be read; the message names the reference, not the value
   */
  public static String read(String reference) throws IOException {
    String cached = CACHE.get(reference);
    if (cached != null) {
      return cached;
    }
    String value = stripLineBreak(fetch(reference));
    CACHE.put(reference, value);
    return value;
  }

  /**
   * Reads the secret again (after Redis refused it: it may have been rotated) and caches the new
   * value; returns whether it differs from the cached one.
   *
   * @throws IOException if it cannot be read; the cached value is kept
   */
  public static boolean refresh(String reference) throws IOException {
    String value = stripLineBreak(fetch(reference));
    String previous = CACHE.put(reference, value);
    return !value.equals(previous);
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

  private static String stripLineBreak(String value) {
    return value.replaceFirst("\r?\n\\z", "");
  }
}
