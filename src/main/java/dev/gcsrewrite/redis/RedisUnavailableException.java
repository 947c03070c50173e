package dev.gcsrewrite.redis;

/** Redis could not answer a one-shot request (command-line tools; the pipeline retries instead). */
public final class RedisUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RedisUnavailableException(String operation, Throwable cause) {
    super("Redis " + operation + " failed: " + cause.getMessage(), cause);
  }
}
