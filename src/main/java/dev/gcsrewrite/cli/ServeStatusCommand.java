package dev.gcsrewrite.cli;

import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.statusservice.StatusServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve-status}: the status command's answers over HTTP, for as long as the process runs
 * ({@link StatusServer}); what runs on Cloud Run beside the pipeline. It stops on SIGTERM, letting
 * the requests under way finish.
 */
final class ServeStatusCommand extends Command {
  private static final Logger LOG = LoggerFactory.getLogger(ServeStatusCommand.class);

  ServeStatusCommand() {
    super(
        "serve-status",
        "the status command over HTTP, read-only: objects as long-running operations",
        "gcs-rewrite serve-status [--port=8080] [--bind=127.0.0.1] --redisHost=HOST"
            + " [--redisPort=PORT] [--redisTls=true] [--redisCluster=true]"
            + " [--redisPasswordSecret=REF] [--redisTlsCaSecret=REF] [--keyPrefix=PREFIX]",
        """
          --port=PORT  where to listen (default 8080; 0 picks a free port)
          --bind=ADDR  the address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
          GET /v1/objects/BUCKET/OBJECT                        the newest generation
          GET /v1/objects/BUCKET/OBJECT/generations/GENERATION that generation
          GET /v1/health (or /healthz)                         200 when Redis answers
          OBJECT is one path segment: each '/' in the name written %2F.
          The Redis options are the pipeline's (see: gcs-rewrite help run).
          Runs until stopped (SIGTERM). Exit status: 2 bad arguments, 3 the address
          cannot be bound or the Redis client cannot be made.
        """);
  }

  @Override
  ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments parsed = parse(args, 0, "port= bind=");
    long port = parsed.number("port", 8080);
    if (port > 65535) {
      throw new BadArguments("--port " + port + " is not a port (0 to 65535)");
    }
    String bind = parsed.get("bind") == null ? "127.0.0.1" : parsed.get("bind");
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new BadArguments("--bind '" + bind + "' is not an address of this machine");
    }
    // As status reads them: without Beam when they are only the Redis options, a faster start
    // (a Cloud Run instance starting cold).
    RedisSettings redis =
        RedisArguments.read(parsed.pipelineArgs)
            .orElseGet(() -> JobSettings.redis(parseOptions(parsed.pipelineArgs)));

    StatusServer server;
    try {
      server = StatusServer.start(new InetSocketAddress(address, (int) port), redis);
    } catch (IOException | RuntimeException e) {
      throw new Failure(
          ExitCode.UNAVAILABLE,
          "cannot serve on " + bind + ":" + port + ": " + rootCause(e).getMessage());
    }
    LOG.info(
        "serving status on {}, read-only against Redis at {} (key prefix '{}')",
        server.url(),
        redis.address(),
        redis.keyPrefix());
    CountDownLatch stopped = new CountDownLatch(1);
    Thread stop =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            "serve-status-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // Stopped from inside the JVM (a test, an embedding): no hook left behind.
      Thread.currentThread().interrupt();
      Runtime.getRuntime().removeShutdownHook(stop);
      server.close();
    }
    return ExitCode.OK;
  }
}
