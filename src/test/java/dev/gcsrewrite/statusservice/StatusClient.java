package dev.gcsrewrite.statusservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.redis.RedisSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests to a {@link StatusServer} under test, with the answer's status, headers and body; the
 * server is its own, on a free loopback port, and closing the client stops it.
 */
final class StatusClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** An answer: its status code, its Allow header (or null), its body as text and as JSON. */
  record Answer(int code, String allow, String contentType, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    /** The top-level field names of the JSON body, in order. */
    List<String> fields() throws IOException {
      List<String> names = new ArrayList<>();
      json().fieldNames().forEachRemaining(names::add);
      return names;
    }
  }

  private final StatusServer server;

  private StatusClient(StatusServer server) {
    this.server = server;
  }

  /** A client of a server of its own on 127.0.0.1, any free port, reading {@code redis}. */
  static StatusClient serving(RedisSettings redis) throws IOException {
    return new StatusClient(StatusServer.start(new InetSocketAddress("127.0.0.1", 0), redis));
  }

  @Override
  public void close() {
    server.close();
  }

  Answer get(String rawPath) throws IOException, InterruptedException {
    return send("GET", rawPath);
  }

  Answer send(String method, String rawPath) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.url() + rawPath))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(20))
            .build();
    HttpResponse<String> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Allow").orElse(null),
        response.headers().firstValue("Content-Type").orElse(null),
        response.body());
  }

  /**
   * The status line and the rest of the answer to a request line sent byte for byte, for what
   * {@link URI} refuses to make (a bad escape, a raw non-ASCII byte).
   */
  String raw(byte[] requestTarget) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET ".getBytes(StandardCharsets.US_ASCII));
      out.write(requestTarget);
      out.write(
          " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
