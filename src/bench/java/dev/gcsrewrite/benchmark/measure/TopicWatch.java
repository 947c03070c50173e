package dev.gcsrewrite.benchmark.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Everything that arrives on an emulator subscription, pulled and acknowledged by a thread of its
 * own, each message kept with its attributes and the time Pub/Sub accepted it ({@code publishTime},
 * set by the emulator when the publisher's request arrives). Times of arrival are therefore the
 * publisher's, not this poller's: how often it polls (every 50 ms when idle) does not change them.
 */
public final class TopicWatch implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message as it arrived. */
  public record Arrival(Map<String, String> attributes, Instant publishTime) {
    public @Nullable String attribute(String name) {
      return attributes.get(name);
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String pullUrl;
  private final String ackUrl;
  private final List<Arrival> arrivals = new ArrayList<>();
  private final Thread poller;
  private volatile boolean closed;
  private volatile @Nullable Exception failure;

  private TopicWatch(String rootUrl, String subscriptionPath) {
    this.pullUrl = rootUrl + "/v1/" + subscriptionPath + ":pull";
    this.ackUrl = rootUrl + "/v1/" + subscriptionPath + ":acknowledge";
    poller = new Thread(this::poll, "watch " + subscriptionPath);
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts watching {@code subscriptionPath} ({@code projects/p/subscriptions/s}). */
  public static TopicWatch start(String rootUrl, String subscriptionPath) {
    return new TopicWatch(rootUrl, subscriptionPath);
  }

  /** A copy of everything that arrived so far. */
  public synchronized List<Arrival> arrivals() {
    return new ArrayList<>(arrivals);
  }

  /**
   * For the messages {@code selected}, the first arrival of each distinct {@code key}: a repeat
   * (Pub/Sub delivers at least once, audit events are published at least once) is not progress.
   */
  public Map<String, Instant> firstArrivals(
      Predicate<Arrival> selected, Function<Arrival, String> key) {
    Map<String, Instant> first = new HashMap<>();
    for (Arrival arrival : arrivals()) {
      if (selected.test(arrival)) {
        first.merge(key.apply(arrival), arrival.publishTime(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    return first;
  }

  /**
   * Waits until {@code count} distinct keys of the selected messages have arrived, or {@code
   * timeout} passed; returns how many had.
   */
  public int await(
      Predicate<Arrival> selected, Function<Arrival, String> key, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (true) {
      seen = firstArrivals(selected, key).size();
      if (seen >= count || System.nanoTime() > deadline) {
        return seen;
      }
      Exception failed = failure;
      if (failed != null) {
        throw new IllegalStateException("watching a subscription failed", failed);
      }
      Thread.sleep(25);
    }
  }

  @Override
  public void close() {
    closed = true;
    poller.interrupt();
  }

  private void poll() {
    while (!closed) {
      try {
        if (pullOnce() == 0) {
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          failure = e;
        }
        return;
      }
    }
  }

  private int pullOnce() throws IOException, InterruptedException {
    JsonNode reply = post(pullUrl, "{\"maxMessages\":1000,\"returnImmediately\":true}");
    JsonNode received = reply.get("receivedMessages");
    if (received == null || received.isEmpty()) {
      return 0;
    }
    ObjectNode ack = JSON.createObjectNode();
    ArrayNode ackIds = ack.putArray("ackIds");
    List<Arrival> pulled = new ArrayList<>();
    for (JsonNode item : received) {
      ackIds.add(item.get("ackId").asText());
      JsonNode message = item.get("message");
      pulled.add(
          new Arrival(
              PubsubAdmin.attributes(message), Instant.parse(message.get("publishTime").asText())));
    }
    post(ackUrl, ack.toString());
    synchronized (this) {
      arrivals.addAll(pulled);
    }
    return pulled.size();
  }

  private JsonNode post(String url, String body) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "POST " + url + " failed: HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
