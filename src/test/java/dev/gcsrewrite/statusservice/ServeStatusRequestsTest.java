package dev.gcsrewrite.statusservice;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * What serve-status refuses before anything reaches Redis (400, 404, 405), its health check, and
 * how it answers while Redis cannot be reached (503, logged once).
 */
public class ServeStatusRequestsTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestJob job = new TestJob(REDIS);

  private StatusClient client;

  @Before
  public void startServer() throws Exception {
    client = StatusClient.serving(REDIS.settings(job.keyPrefix()));
  }

  @After
  public void stopServer() {
    client.close();
  }

  @Test
  public void badBucketsObjectsAndGenerationsAreBadRequestsNamingTheProblem() throws Exception {
    String longName = "x".repeat(1025);
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("/v1/objects/UPPER/a", "bucket name 'UPPER' is not valid"),
            Map.entry("/v1/objects/ab/a", "bucket name 'ab' is not valid"),
            Map.entry("/v1/objects/work/..", "contains a '..' segment"),
            Map.entry("/v1/objects/work/a%2F..%2F..%2Fb", "contains a '..' segment"),
            Map.entry("/v1/objects/work/%2E%2E", "contains a '..' segment"),
            Map.entry("/v1/objects/work/a%00b", "contains control character U+0000"),
            Map.entry("/v1/objects/work/a%0Ab", "contains control character U+000A"),
            Map.entry("/v1/objects/work/" + longName, "1025 bytes long; the limit is 1024"),
            Map.entry("/v1/objects/work/a%C3%28", "does not decode to UTF-8 text"),
            Map.entry("/v1/objects/work/a/generations/latest", "generation 'latest' is not"),
            Map.entry("/v1/objects/work/a/generations/-1", "generation '-1' is not"),
            Map.entry(
                "/v1/objects/work/a/generations/9223372036854775808",
                "generation '9223372036854775808' is not"),
            Map.entry("/v1/objects/work/a/b", "write each '/' in it as %2F"),
            Map.entry("/v1/objects/work/a/generations/1/x", "write each '/' in it as %2F"),
            Map.entry("/v1/objects/work/", "object name is empty"),
            Map.entry("/v1/objects/work", "expected /v1/objects/BUCKET/OBJECT"),
            Map.entry("/v1/objects/work/" + "a".repeat(5000), "longer than 4096 characters"));
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, String> c : cases.entrySet()) {
      StatusClient.Answer answer = client.get(c.getKey());
      JsonNode error = answer.json().path("error");
      if (answer.code() != 400
          || error.path("code").asInt() != 400
          || !error.path("status").asText().equals("INVALID_ARGUMENT")
          || !error.path("message").asText().contains(c.getValue())) {
        wrong.add(c.getKey().substring(0, Math.min(80, c.getKey().length())) + " -> " + answer);
      }
    }
    assertEquals(String.join("\n", wrong), List.of(), wrong);
  }

  @Test
  public void requestLinesTheJdkCannotParseAreBadRequestsWithoutATrace() throws Exception {
    for (byte[] target :
        List.of(
            "/v1/objects/work/a%zz".getBytes(StandardCharsets.US_ASCII),
            "/v1/objects/work/a%2".getBytes(StandardCharsets.US_ASCII),
            "/v1/objects/work/\u00e9".getBytes(StandardCharsets.UTF_8))) {
      String answer = client.raw(target);
      // The JDK's server answers these itself, before any handler: 400, one line, no trace.
      assertThat(answer, startsWith("HTTP/1.1 400 "));
      assertThat(answer, not(containsString("\tat ")));
      assertThat(answer, not(containsString("Caused by")));
    }
  }

  @Test
  public void unknownPathsAreNotFoundWhateverTheMethod() throws Exception {
    for (String path : List.of("/", "/v1", "/v1/objects", "/v2/objects/work/a", "/healthz/x")) {
      for (String method : List.of("GET", "POST")) {
        StatusClient.Answer answer = client.send(method, path);
        assertEquals(method + " " + path, 404, answer.code());
        assertEquals("NOT_FOUND", answer.json().at("/error/status").asText());
      }
    }
  }

  @Test
  public void otherMethodsThanGetAreNotAllowedWithAnAllowHeader() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      for (String path : List.of("/v1/objects/work/a", "/v1/objects/work/a/generations/1")) {
        StatusClient.Answer answer = client.send(method, path);
        assertEquals(method + " " + path, 405, answer.code());
        assertEquals("GET", answer.allow());
        assertEquals(405, answer.json().at("/error/code").asInt());
      }
    }
  }

  @Test
  public void healthIsServingWhileRedisAnswers() throws Exception {
    for (String path : List.of("/v1/health", "/healthz")) {
      StatusClient.Answer answer = client.get(path);
      assertEquals(path, 200, answer.code());
      assertEquals("SERVING", answer.json().get("status").asText());
    }
  }

  @Test
  public void unreachableRedisIsUnavailableForHealthAndLookupsAndLoggedOnce() throws Exception {
    List<LogRecord> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            synchronized (logged) {
              logged.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(StatusServer.class.getName());
    logger.addHandler(capture);
    int nothingListens = Ports.free();
    try (StatusClient downClient =
        StatusClient.serving(
            new RedisSettings("127.0.0.1", nothingListens, false, null, null, "p:", false))) {
      for (String path : List.of("/v1/health", "/healthz", "/v1/objects/work/a", "/v1/health")) {
        StatusClient.Answer answer = downClient.get(path);
        assertEquals(path, 503, answer.code());
        assertEquals("UNAVAILABLE", answer.json().at("/error/status").asText());
        assertThat(answer.body(), not(containsString("Exception")));
        assertThat(answer.body(), not(containsString(Integer.toString(nothingListens))));
      }
    } finally {
      logger.removeHandler(capture);
    }
    List<LogRecord> warnings =
        logged.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    assertEquals("one warning for four failed requests: " + warnings, 1, warnings.size());
    assertThat(warnings.get(0).getMessage(), containsString("Redis cannot be reached"));
  }
}
