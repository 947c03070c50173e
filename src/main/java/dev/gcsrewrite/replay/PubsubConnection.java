package dev.gcsrewrite.replay;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.OutgoingMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.SubscriptionPath;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.TopicPath;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubJsonClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Beam's own Pub/Sub client ({@link PubsubJsonClient}), made the way PubsubIO makes it: the
 * endpoint is {@code --pubsubRootUrl} (the real API by default, the emulator locally) and the
 * credentials are {@code --credentialFactoryClass}'s (application-default credentials by default).
 *
 * <p>Beam's client retries a connection that fails for up to 15 minutes; a command should say at
 * once that Pub/Sub cannot be reached, so {@link #open} first checks that its endpoint accepts a
 * connection.
 */
public final class PubsubConnection implements AutoCloseable {
  /** Longest hold Pub/Sub allows on a pulled message. */
  static final int MAX_ACK_DEADLINE_SECONDS = 600;

  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final int IDS_PER_REQUEST = 500;

  private final PubsubClient client;
  private final String rootUrl;

  private PubsubConnection(PubsubClient client, String rootUrl) {
    this.client = client;
    this.rootUrl = rootUrl;
  }

  /**
   * A client for the endpoint and credentials {@code options} name.
   *
   * @throws PubsubUnavailableException if the endpoint does not answer, or there are no credentials
   */
  public static PubsubConnection open(PubsubOptions options) throws PubsubUnavailableException {
    String rootUrl = options.getPubsubRootUrl();
    checkReachable(rootUrl);
    try {
      // Asked here so that missing credentials fail in one line, not inside the first request.
      options.as(GcpOptions.class).getGcpCredential();
      return new PubsubConnection(PubsubJsonClient.FACTORY.newClient(null, null, options), rootUrl);
    } catch (IOException | RuntimeException e) {
      throw new PubsubUnavailableException(
          "cannot open a Pub/Sub client for " + rootUrl + ": " + rootMessage(e), e);
    }
  }

  /** The endpoint, for messages. */
  public String rootUrl() {
    return rootUrl;
  }

  /**
   * What of {@code subscription} and {@code topic} (either may be null) does not exist, in one
   * line, or null when both do.
   *
   * @throws IOException if Pub/Sub could not say
   */
  public @Nullable String missing(@Nullable String subscription, @Nullable String topic)
      throws IOException {
    if (subscription != null) {
      try {
        client.ackDeadlineSeconds(PubsubClient.subscriptionPathFromPath(subscription));
      } catch (GoogleJsonResponseException e) {
        if (e.getStatusCode() == 404) {
          return "no subscription " + subscription + " at " + rootUrl;
        }
        throw e;
      }
    }
    if (topic != null && !client.isTopicExists(PubsubClient.topicPathFromPath(topic))) {
      return "no topic " + topic + " at " + rootUrl;
    }
    return null;
  }

  /** Up to {@code max} messages of {@code subscription}, without waiting for more to arrive. */
  List<IncomingMessage> pull(SubscriptionPath subscription, int max) throws IOException {
    return client.pull(System.currentTimeMillis(), subscription, max, true);
  }

  void acknowledge(SubscriptionPath subscription, List<String> ackIds) throws IOException {
    for (List<String> part : partition(ackIds)) {
      client.acknowledge(subscription, part);
    }
  }

  void modifyAckDeadline(SubscriptionPath subscription, List<String> ackIds, int seconds)
      throws IOException {
    for (List<String> part : partition(ackIds)) {
      client.modifyAckDeadline(subscription, part, seconds);
    }
  }

  /** Publishes {@code messages} to {@code topic} in one request; returns how many it took. */
  int publish(TopicPath topic, List<PubsubMessage> messages) throws IOException {
    long now = System.currentTimeMillis();
    return client.publish(
        topic,
        messages.stream()
            .map(m -> OutgoingMessage.of(m, now, null, null))
            .collect(Collectors.toList()));
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  private static void checkReachable(String rootUrl) throws PubsubUnavailableException {
    URI uri;
    try {
      uri = URI.create(rootUrl);
    } catch (IllegalArgumentException e) {
      throw new PubsubUnavailableException("--pubsubRootUrl '" + rootUrl + "' is not a URL", e);
    }
    String host = uri.getHost();
    if (host == null) {
      throw new PubsubUnavailableException("--pubsubRootUrl '" + rootUrl + "' names no host");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw new PubsubUnavailableException(
          "cannot reach Pub/Sub at " + rootUrl + ": " + rootMessage(e), e);
    }
  }

  private static List<List<String>> partition(List<String> ids) {
    List<List<String>> parts = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += IDS_PER_REQUEST) {
      parts.add(ids.subList(i, Math.min(ids.size(), i + IDS_PER_REQUEST)));
    }
    return parts;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text = message == null ? root.getClass().getSimpleName() : message;
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
