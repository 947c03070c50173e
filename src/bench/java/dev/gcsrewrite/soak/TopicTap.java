package dev.gcsrewrite.soak;

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
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Everything published to one topic since the soak began, read from a subscription of the soak's
 * own, with the publish time the emulator gave each message (the order checks need it; {@link
 * PubsubAdmin#pull} leaves it out).
 */
final class TopicTap {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message as received. */
  record Received(
      String messageId, Instant publishTime, Map<String, String> attributes, byte[] data) {
    String attribute(String name) {
      return attributes.getOrDefault(name, "");
    }

    JsonNode body() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        return JSON.createObjectNode();
      }
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String subscriptionUrl;
  // Guarded by this.
  private final List<Received> received = new ArrayList<>();

  /** A tap on {@code subscription} (its full path) at {@code rootUrl}. */
  TopicTap(String rootUrl, String subscription) {
    this.subscriptionUrl = rootUrl + "/v1/" + subscription;
  }

  /** Pulls until the subscription has nothing more now; returns how many messages came. */
  int drain() throws IOException {
    int total = 0;
    while (true) {
      int got = pullOnce();
      total += got;
      if (got == 0) {
        return total;
      }
    }
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  synchronized int size() {
    return received.size();
  }

  private int pullOnce() throws IOException {
    JsonNode reply = call(":pull", "{\"maxMessages\":1000,\"returnImmediately\":true}");
    JsonNode messages = reply.get("receivedMessages");
    if (messages == null || messages.isEmpty()) {
      return 0;
    }
    ObjectNode ack = JSON.createObjectNode();
    ArrayNode ackIds = ack.putArray("ackIds");
    List<Received> batch = new ArrayList<>();
    for (JsonNode item : messages) {
      ackIds.add(item.get("ackId").asText());
      JsonNode message = item.get("message");
      batch.add(
          new Received(
              message.get("messageId").asText(),
              Instant.parse(message.get("publishTime").asText()),
              PubsubAdmin.attributes(message),
              message.has("data")
                  ? Base64.getDecoder().decode(message.get("data").asText())
                  : new byte[0]));
    }
    call(":acknowledge", ack.toString());
    synchronized (this) {
      received.addAll(batch);
    }
    return batch.size();
  }

  private JsonNode call(String verb, String body) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(subscriptionUrl + verb))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IOException(
            verb + " failed: HTTP " + response.statusCode() + " " + response.body());
      }
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
