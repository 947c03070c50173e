package dev.gcsrewrite.notification;

/**
 * Why a Pub/Sub message is not a usable Cloud Storage notification. The {@link #errorType()} is the
 * dead letter's {@code errorType}; the message says exactly what was wrong.
 */
public final class NotificationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The payload is larger than any real notification. */
  public static final String OVERSIZE_MESSAGE = "OversizeMessage";

  /** A required attribute is absent or empty. */
  public static final String MISSING_ATTRIBUTE = "MissingAttribute";

  /** An attribute is present but not valid (non-numeric generation, bad time...). */
  public static final String INVALID_ATTRIBUTE = "InvalidAttribute";

  /** The object name could escape a bucket root or confuse a file system. */
  public static final String UNSAFE_OBJECT_NAME = "UnsafeObjectName";

  /** The payload format attribute names a format this pipeline cannot read. */
  public static final String UNSUPPORTED_PAYLOAD_FORMAT = "UnsupportedPayloadFormat";

  /** The JSON_API_V1 payload is not well-formed JSON. */
  public static final String MALFORMED_JSON = "MalformedJson";

  /** The JSON_API_V1 payload is JSON, but not an object resource of the expected shape. */
  public static final String INVALID_PAYLOAD = "InvalidPayload";

  /** The payload describes a different object or generation than the attributes. */
  public static final String INCONSISTENT_PAYLOAD = "InconsistentPayload";

  private final String errorType;

  public NotificationException(String errorType, String message) {
    super(message);
    this.errorType = errorType;
  }

  public String errorType() {
    return errorType;
  }
}
