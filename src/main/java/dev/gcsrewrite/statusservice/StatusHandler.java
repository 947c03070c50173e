package dev.gcsrewrite.statusservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.gcsrewrite.notification.StorageNames;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.ObjectStatus;
import dev.gcsrewrite.redis.RedisUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request: checks the path ({@link RequestPath}) and the method, reads Redis through
 * {@link ClaimStore#status} and {@link ClaimStore#ping} only (no script, no write), and writes
 * JSON. Every failure is an {@link ApiError}: a caller never sees an exception's text.
 */
final class StatusHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClaimStore store;
  private final OutageLog outages;

  StatusHandler(ClaimStore store, OutageLog outages) {
    this.store = store;
    this.outages = outages;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    // Not try-with-resources: that would close the exchange before the catch could answer 500.
    try {
      answer(exchange);
    } catch (IOException e) {
      // The client went away mid-answer: nothing to tell it.
      LOG.debug("could not answer {}: {}", exchange.getRequestURI(), e.toString());
    } catch (RuntimeException e) {
      LOG.warn("unexpected failure answering a status request", e);
      try {
        send(exchange, ApiError.internal());
      } catch (IOException | RuntimeException ignored) {
        // The answer had begun; the client sees a cut connection.
      }
    } finally {
      exchange.close();
    }
  }

  private void answer(HttpExchange exchange) throws IOException {
    RequestPath path;
    try {
      path = RequestPath.parse(exchange.getRequestURI().getRawPath());
    } catch (RequestPath.BadRequest e) {
      send(exchange, ApiError.badRequest(e.getMessage()));
      return;
    }
    if (path instanceof RequestPath.Unknown) {
      send(exchange, ApiError.notFound("no such path; see GET /v1/objects/BUCKET/OBJECT"));
      return;
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      send(
          exchange, ApiError.methodNotAllowed(StorageNames.printable(exchange.getRequestMethod())));
      return;
    }
    try {
      if (path instanceof RequestPath.Lookup lookup) {
        ObjectStatus status = store.status(lookup.bucket(), lookup.objectId(), lookup.generation());
        outages.answered();
        JsonNode operation = OperationJson.of(status, lookup.generation());
        if (operation == null) {
          send(exchange, ApiError.notFound(notFound(lookup)));
        } else {
          send(exchange, 200, operation);
        }
      } else {
        store.ping();
        outages.answered();
        send(exchange, 200, JsonNodeFactory.instance.objectNode().put("status", "SERVING"));
      }
    } catch (RedisUnavailableException e) {
      outages.failed(e);
      send(exchange, ApiError.unavailable());
    }
  }

  private static String notFound(RequestPath.Lookup lookup) {
    return "no record of gs://"
        + lookup.bucket()
        + "/"
        + StorageNames.printable(lookup.objectId())
        + (lookup.generation() == null ? "" : " generation " + lookup.generation())
        + " (never claimed, or settled longer ago than --claimRetention)";
  }

  private static void send(HttpExchange exchange, ApiError error) throws IOException {
    send(exchange, error.code(), error.json());
  }

  private static void send(HttpExchange exchange, int code, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    // Status changes by the second; a cache in between would show an old state.
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
