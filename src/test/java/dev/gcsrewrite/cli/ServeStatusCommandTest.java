package dev.gcsrewrite.cli;

import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Test;

/** The serve-status command: its arguments, and that it serves until stopped. */
public class ServeStatusCommandTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();

  @Test
  public void servesHealthOnTheGivenPortUntilStopped() throws Exception {
    int port = Ports.free();
    CompletableFuture<CommandRun> run = new CompletableFuture<>();
    Thread serving =
        new Thread(
            () ->
                run.complete(
                    serveStatus(
                        "--port=" + port,
                        "--bind=127.0.0.1",
                        "--redisHost=127.0.0.1",
                        "--redisPort=" + REDIS.port())));
    serving.start();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/health")).build();
    Eventually.await(
        "serve-status answering on port " + port,
        Duration.ofSeconds(30),
        () -> {
          try {
            return http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
          } catch (Exception notYet) {
            return false;
          }
        });

    serving.interrupt();

    assertEquals(ExitCode.OK, run.get(30, TimeUnit.SECONDS).code());
    assertEquals("the port is free again", true, Ports.isFree(port));
  }

  @Test
  public void badArgumentsExitTwoWithOneLine() {
    assertEquals(
        "serve-status: --port 70000 is not a port (0 to 65535)\n",
        serveStatus("--port=70000", "--redisHost=127.0.0.1").err());
    assertEquals(
        "serve-status: --port 'http' is not a whole number\n",
        serveStatus("--port=http", "--redisHost=127.0.0.1").err());
    assertEquals(
        "serve-status: --bind 'no-such-host.invalid' is not an address of this machine\n",
        serveStatus("--bind=no-such-host.invalid", "--redisHost=127.0.0.1").err());
    assertEquals("serve-status: --redisHost: is required\n", serveStatus("--port=0").err());
    assertEquals(ExitCode.USAGE, serveStatus("gs://work/a", "--redisHost=127.0.0.1").code());
  }

  @Test
  public void aPortInUseExitsThree() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      CommandRun result =
          serveStatus(
              "--port=" + taken.getLocalPort(),
              "--redisHost=127.0.0.1",
              "--redisPort=" + REDIS.port());
      assertEquals(ExitCode.UNAVAILABLE, result.code());
    }
  }

  private static CommandRun serveStatus(String... args) {
    List<String> all = new ArrayList<>(List.of("serve-status"));
    all.addAll(List.of(args));
    return CommandRun.of(GcsRewriteCli::execute, all);
  }
}
