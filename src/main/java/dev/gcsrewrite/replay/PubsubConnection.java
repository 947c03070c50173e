package dev.gcsrewrite.replay;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubJsonClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Opens Beam's own Pub/Sub client the way PubsubIO does, failing at once, in one line, when Pub/Sub
 * cannot be reached.
 *
 * <ul>
 *   <li>The endpoint is {@code --pubsubRootUrl}: the real API by default, the emulator locally.
 *   <li>The credentials are {@code --credentialFactoryClass}'s: application-default by default.
 *   <li>Beam's client retries a refused connection for up to 15 minutes, so {@link #open} first
 *       checks that the endpoint accepts one.
 * </ul>
 */
public final class PubsubConnection {
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private PubsubConnection() {}

  /**
   * A client for the endpoint and credentials {@code options} name.
   *
   * @throws IOException with a one-line message if the endpoint does not answer or there are no
   *     credentials
   */
  public static PubsubClient open(PubsubOptions options) throws IOException {
    String rootUrl = options.getPubsubRootUrl();
    URI uri;
    try {
      uri = URI.create(rootUrl);
    } catch (IllegalArgumentException e) {
      throw new IOException("--pubsubRootUrl '" + rootUrl + "' is not a URL", e);
    }
    if (uri.getHost() == null) {
      throw new IOException("--pubsubRootUrl '" + rootUrl + "' names no host");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new IOException("cannot reach Pub/Sub at " + rootUrl + ": " + rootMessage(e), e);
    }
    try {
      // Asked here so that missing credentials fail in one line, not inside the first request.
      options.as(GcpOptions.class).getGcpCredential();
      return PubsubJsonClient.FACTORY.newClient(null, null, options);
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot open a Pub/Sub client for " + rootUrl + ": " + rootMessage(e), e);
    }
  }

  /**
   * What of {@code subscription} and {@code topic} (either may be null) does not exist, in one
   * line, or null when both do.
   */
  public static @Nullable String missing(
      PubsubClient pubsub, String rootUrl, @Nullable String subscription, @Nullable String topic)
      throws IOException {
    if (subscription != null) {
      try {
        pubsub.ackDeadlineSeconds(PubsubClient.subscriptionPathFromPath(subscription));
      } catch (GoogleJsonResponseException e) {
        if (e.getStatusCode() == 404) {
          return "no subscription " + subscription + " at " + rootUrl;
        }
        throw e;
      }
    }
    if (topic != null && !pubsub.isTopicExists(PubsubClient.topicPathFromPath(topic))) {
      return "no topic " + topic + " at " + rootUrl;
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
