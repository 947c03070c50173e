package dev.gcsrewrite.notification;

/**
 * Why a Pub/Sub message is not a usable Cloud Storage notification: the {@link #errorType()} is the
 * dead letter's {@code errorType}, the message says exactly what was wrong.
 *
 * <p>The error types:
 *
 * <ul>
 *   <li>{@value #OVERSIZE_MESSAGE}: the payload is larger than any real notification;
 *   <li>{@value #MISSING_ATTRIBUTE}: a required attribute is absent or empty;
 *   <li>{@value #INVALID_ATTRIBUTE}: an attribute is present but not valid (a non-numeric
 *       generation, a bad time, a bad bucket name);
 *   <li>{@value #UNSAFE_OBJECT_NAME}: the object name could escape a bucket root or confuse a file
 *       system ({@link StorageNames#objectProblem});
 *   <li>{@value #UNSUPPORTED_PAYLOAD_FORMAT}: a payload format this pipeline cannot read;
 *   <li>{@value #MALFORMED_JSON}: the {@code JSON_API_V1} payload is not well-formed JSON;
 *   <li>{@value #INVALID_PAYLOAD}: it is JSON, but not an object resource of the expected shape;
 *   <li>{@value #INCONSISTENT_PAYLOAD}: it describes another object or generation than the
 *       attributes.
 * </ul>
 */
public final class NotificationException extends Exception {
  private static final long serialVersionUID = 1L;

  public static final String OVERSIZE_MESSAGE = "OversizeMessage";
  public static final String MISSING_ATTRIBUTE = "MissingAttribute";
  public static final String INVALID_ATTRIBUTE = "InvalidAttribute";
  public static final String UNSAFE_OBJECT_NAME = "UnsafeObjectName";
  public static final String UNSUPPORTED_PAYLOAD_FORMAT = "UnsupportedPayloadFormat";
  public static final String MALFORMED_JSON = "MalformedJson";
  public static final String INVALID_PAYLOAD = "InvalidPayload";
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
