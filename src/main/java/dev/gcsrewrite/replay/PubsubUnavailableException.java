package dev.gcsrewrite.replay;

import java.io.IOException;

/** Pub/Sub cannot be reached, or refused us: the replay stops and says why, in one line. */
public final class PubsubUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  public PubsubUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public PubsubUnavailableException(String message) {
    super(message);
  }
}
