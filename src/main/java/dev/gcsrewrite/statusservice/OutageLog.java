package dev.gcsrewrite.statusservice;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs an outage of Redis once per interval rather than once per request: while Redis is down every
 * lookup and health check fails, and a log line each would bury the one that matters (and cost more
 * than the service). Its end is logged once too.
 */
final class OutageLog {
  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

  private final long intervalMillis;
  private long loggedAt;
  private long failures;
  private volatile boolean down;

  OutageLog(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  /** A request found Redis unreachable because of {@code cause}. */
  synchronized void failed(Throwable cause) {
    failures++;
    long now = System.currentTimeMillis();
    if (!down || now - loggedAt >= intervalMillis) {
      LOG.warn(
          "Redis cannot be reached ({} failed requests so far); answering 503: {}",
          failures,
          describe(cause));
      loggedAt = now;
    }
    down = true;
  }

  /** A request was answered by Redis. */
  void answered() {
    // Read without the lock first: the healthy path is every request.
    if (down) {
      synchronized (this) {
        if (down) {
          LOG.info("Redis answers again after {} failed requests", failures);
          down = false;
          failures = 0;
        }
      }
    }
  }

  private static String describe(Throwable error) {
    StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      text.append(": ").append(cause.getMessage());
    }
    return text.toString();
  }
}
