package dev.gcsrewrite.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.rules.ExternalResource;

/**
 * The real Pub/Sub emulator from the Google Cloud CLI, started on a free loopback port for a test
 * class, with its logging at WARNING (its request log otherwise grows by megabytes a minute), plus
 * the few REST calls tests need: create topics and subscriptions, publish, pull.
 *
 * <p>The emulator's jar is found through {@code gcloud info}; {@code PUBSUB_EMULATOR_JAR} names it
 * directly. Without either the rule fails with what to install.
 */
public final class PubsubEmulator extends ExternalResource {
  /** The project every emulated resource belongs to. */
  public static final String PROJECT = "test-project";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private Path home;
  private Process process;
  private int port;

  @Override
  protected void before() throws Throwable {
    Path jar = emulatorJar();
    home = Files.createTempDirectory("pubsub-emulator-");
    Path logging =
        Files.writeString(
            home.resolve("logging.properties"),
            "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n");
    port = TestFiles.freePort();
    process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.config.file=" + logging,
                "-jar",
                jar.toString(),
                "--host=127.0.0.1",
                "--port=" + port)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("emulator.log").toFile())
            .start();
    awaitListening();
  }

  @Override
  protected void after() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    TestFiles.deleteTree(home);
  }

  /** {@code http://127.0.0.1:<port>}, the value of Beam's {@code --pubsubRootUrl}. */
  public String rootUrl() {
    return "http://127.0.0.1:" + port;
  }

  public static String topic(String name) {
    return "projects/" + PROJECT + "/topics/" + name;
  }

  public static String subscription(String name) {
    return "projects/" + PROJECT + "/subscriptions/" + name;
  }

  public void createTopic(String name) {
    call("PUT", "/v1/" + topic(name), "{}");
  }

  /** Creates a subscription on {@code topicName} with a 10 s acknowledgement deadline. */
  public void createSubscription(String name, String topicName) {
    call(
        "PUT",
        "/v1/" + subscription(name),
        "{\"topic\":\"" + topic(topicName) + "\",\"ackDeadlineSeconds\":10}");
  }

  /** Publishes {@code messages}; returns their message IDs. */
  public List<String> publish(String topicName, List<PubsubMessage> messages) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("messages");
    for (PubsubMessage message : messages) {
      ObjectNode node = list.addObject();
      node.put("data", Base64.getEncoder().encodeToString(message.getPayload()));
      ObjectNode attributes = node.putObject("attributes");
      message.getAttributeMap().forEach(attributes::put);
    }
    JsonNode reply = call("POST", "/v1/" + topic(topicName) + ":publish", body.toString());
    List<String> ids = new ArrayList<>();
    reply.get("messageIds").forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** Pulls and acknowledges what {@code subscriptionName} has now (up to 1000 messages). */
  public List<PubsubMessage> pull(String subscriptionName) {
    JsonNode reply =
        call(
            "POST",
            "/v1/" + subscription(subscriptionName) + ":pull",
            "{\"maxMessages\":1000,\"returnImmediately\":true}");
    List<PubsubMessage> messages = new ArrayList<>();
    List<String> ackIds = new ArrayList<>();
    JsonNode received = reply.get("receivedMessages");
    if (received == null) {
      return messages;
    }
    for (JsonNode item : received) {
      ackIds.add(item.get("ackId").asText());
      JsonNode message = item.get("message");
      Map<String, String> attributes = new HashMap<>();
      JsonNode attributeNode = message.get("attributes");
      if (attributeNode != null) {
        Iterator<Map.Entry<String, JsonNode>> fields = attributeNode.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          attributes.put(field.getKey(), field.getValue().asText());
        }
      }
      byte[] data =
          message.has("data")
              ? Base64.getDecoder().decode(message.get("data").asText())
              : new byte[0];
      messages.add(new PubsubMessage(data, attributes, message.get("messageId").asText()));
    }
    ObjectNode ack = JSON.createObjectNode();
    ArrayNode ids = ack.putArray("ackIds");
    ackIds.forEach(ids::add);
    call("POST", "/v1/" + subscription(subscriptionName) + ":acknowledge", ack.toString());
    return messages;
  }

  private JsonNode call(String method, String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(rootUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            method + " " + path + " -> " + response.statusCode() + ": " + response.body());
      }
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Pub/Sub emulator exited: " + Files.readString(home.resolve("emulator.log")));
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the Pub/Sub emulator did not listen within 60 s");
  }

  /** The emulator's jar: $PUBSUB_EMULATOR_JAR, or the one in the Google Cloud CLI's install. */
  static Path emulatorJar() throws IOException, InterruptedException {
    String explicit = System.getenv("PUBSUB_EMULATOR_JAR");
    if (explicit != null && !explicit.isEmpty()) {
      return Path.of(explicit);
    }
    String missing =
        "the Pub/Sub emulator is needed: install the Google Cloud CLI and its component"
            + " (gcloud components install pubsub-emulator, or the google-cloud-cli-pubsub-emulator"
            + " package), or set PUBSUB_EMULATOR_JAR";
    Process gcloud;
    try {
      gcloud =
          new ProcessBuilder("gcloud", "info", "--format=value(installation.sdk_root)")
              .redirectErrorStream(false)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(missing + " (gcloud is not on PATH)", e);
    }
    String root = new String(gcloud.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    gcloud.waitFor(60, TimeUnit.SECONDS);
    Path lib = Path.of(root, "platform", "pubsub-emulator", "lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        return jars.filter(
                p -> p.getFileName().toString().matches("cloud-pubsub-emulator-.*\\.jar"))
            .max(Comparator.naturalOrder())
            .orElseThrow(() -> new IllegalStateException(missing));
      }
    }
    throw new IllegalStateException(missing + " (nothing in " + lib + ")");
  }
}
