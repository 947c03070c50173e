package dev.gcsrewrite.claim;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Sorts Redis errors by what to do about them: retry (Redis itself is unwell), re-read the AUTH
 * string, re-read a cluster's layout, or give up on one element whose own record is unusable.
 */
final class RedisErrors {
  private RedisErrors() {}

  /**
   * Whether {@code error}, the reply to one element's script, is about that element's record and so
   * would come back on every retry: a key of another type, or a script error on its values.
   */
  static boolean isElementError(JedisDataException error) {
    String message = String.valueOf(error.getMessage());
    return message.startsWith("WRONGTYPE")
        || message.startsWith("ERR Error running script")
        || message.contains("user_script:");
  }

  /** Whether Redis refused the credentials (a rotated AUTH string). */
  static boolean isAuthFailure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof JedisAccessControlException) {
        return true;
      }
      String message = String.valueOf(cause.getMessage());
      if (message.startsWith("NOAUTH") || message.startsWith("WRONGPASS")) {
        return true;
      }
    }
    return false;
  }

  /** Whether a cluster's slots moved or a node failed over: its layout must be read again. */
  static boolean isLayoutChange(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof JedisRedirectionException
          || cause instanceof JedisClusterOperationException) {
        return true;
      }
      String message = String.valueOf(cause.getMessage());
      if (message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN")) {
        return true;
      }
    }
    return false;
  }

  /** One line about {@code error} and its causes, for a log. */
  static String describe(Throwable error) {
    StringBuilder line = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      line.append(": ").append(cause.getMessage());
    }
    return line.toString();
  }
}
