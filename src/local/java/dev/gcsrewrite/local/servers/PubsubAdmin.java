package dev.gcsrewrite.local.servers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * The Pub/Sub REST calls the local stack makes against the emulator: create topics and
 * subscriptions, publish, pull. Plain HTTP and JSON, so that nothing but the JDK is needed.
 */
public final class PubsubAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String rootUrl;
  private final String project;

  public PubsubAdmin(String rootUrl, String project) {
    this.rootUrl = rootUrl;
    this.project = project;
  }

  public String topic(String name) {
    return "projects/" + project + "/topics/" + name;
  }

  public String subscription(String name) {
    return "projects/" + project + "/subscriptions/" + name;
  }

  /** Creates the topic; one that exists already is fine. */
  public void createTopic(String name) throws IOException {
    call("PUT", "/v1/" + topic(name), "{}", true);
  }

  /** Creates a subscription on {@code topicName}; one that exists already is fine. */
  public void createSubscription(String name, String topicName, int ackDeadlineSeconds)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("topic", topic(topicName));
    body.put("ackDeadlineSeconds", ackDeadlineSeconds);
    call("PUT", "/v1/" + subscription(name), body.toString(), true);
  }

  /** Publishes {@code messages} to {@code topicName}; returns the IDs the service gave them. */
  public List<String> publish(String topicName, List<PubsubMessage> messages) throws IOException {
    List<String> ids = new ArrayList<>();
    // Requests stay well under the 10 MB limit of a publish call.
    for (int from = 0; from < messages.size(); from += 100) {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode list = body.putArray("messages");
      for (PubsubMessage message : messages.subList(from, Math.min(messages.size(), from + 100))) {
        ObjectNode node = list.addObject();
        node.put("data", Base64.getEncoder().encodeToString(message.getPayload()));
        ObjectNode attributes = node.putObject("attributes");
        if (message.getAttributeMap() != null) {
          message.getAttributeMap().forEach(attributes::put);
        }
      }
      JsonNode reply = call("POST", "/v1/" + topic(topicName) + ":publish", body.toString(), false);
      reply.get("messageIds").forEach(id -> ids.add(id.asText()));
    }
    return ids;
  }

  /** Pulls what {@code subscriptionName} holds now (at most {@code max}) and acknowledges it. */
  public List<PubsubMessage> pull(String subscriptionName, int max) throws IOException {
    JsonNode reply =
        call(
            "POST",
            "/v1/" + subscription(subscriptionName) + ":pull",
            "{\"maxMessages\":" + max + ",\"returnImmediately\":true}",
            false);
    List<PubsubMessage> messages = new ArrayList<>();
    JsonNode received = reply.get("receivedMessages");
    if (received == null || received.isEmpty()) {
      return messages;
    }
    ObjectNode ack = JSON.createObjectNode();
    ArrayNode ackIds = ack.putArray("ackIds");
    for (JsonNode item : received) {
      ackIds.add(item.get("ackId").asText());
      messages.add(toMessage(item.get("message")));
    }
    call("POST", "/v1/" + subscription(subscriptionName) + ":acknowledge", ack.toString(), false);
    return messages;
  }

  /** The attributes of a message as the REST API's pull returns it ({@code message} object). */
  public static Map<String, String> attributes(JsonNode message) {
    Map<String, String> attributes = new HashMap<>();
    JsonNode node = message.get("attributes");
    if (node != null) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        attributes.put(field.getKey(), field.getValue().asText());
      }
    }
    return attributes;
  }

  private static PubsubMessage toMessage(JsonNode message) {
    Map<String, String> attributes = attributes(message);
    byte[] data =
        message.has("data")
            ? Base64.getDecoder().decode(message.get("data").asText())
            : new byte[0];
    return new PubsubMessage(data, attributes, message.get("messageId").asText());
  }

  private JsonNode call(String method, String path, String body, boolean existingIsFine)
      throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(rootUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() == 409 && existingIsFine) {
      return JSON.createObjectNode();
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method + " " + path + " failed: HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
  }
}
