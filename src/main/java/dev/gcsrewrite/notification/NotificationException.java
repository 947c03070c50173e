package dev.gcsrewrite.notification;

/**
 * Why a Pub/Sub message is not a usable Cloud Storage notification: the {@link #errorType()} is the
 * dead letter's {@code errorType} (the types are listed on {@link NotificationParser}), the message
 * says exactly what was wrong.
 */
public final class NotificationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String errorType;

  public NotificationException(String errorType, String message) {
    super(message);
    this.errorType = errorType;
  }

  public String errorType() {
    return errorType;
  }
}
