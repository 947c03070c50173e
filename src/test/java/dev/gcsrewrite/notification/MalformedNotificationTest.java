package dev.gcsrewrite.notification;

import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.withAttribute;
import static dev.gcsrewrite.testing.Notifications.withBodyField;
import static dev.gcsrewrite.testing.Notifications.withPayload;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.gcsrewrite.deadletter.OriginalMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/** A table of malformed and hostile messages: each is rejected with the right type and reason. */
@RunWith(Parameterized.class)
public class MalformedNotificationTest {
  private static final PubsubMessage GOOD = newObject("work001", 1763630102412883L, 2048, "m1");

  @Parameters(name = "{0}")
  public static Collection<Object[]> cases() {
    List<Object[]> cases = new ArrayList<>();
    add(cases, "body is not JSON", body("{not json"), "MalformedJson", "line 1");
    add(cases, "body is a JSON array", body("[]"), "InvalidPayload", "array");
    add(cases, "body is a JSON string", body("\"x\""), "InvalidPayload", "string");
    add(cases, "body has trailing garbage", body("{} x"), "MalformedJson", "");
    add(
        cases,
        "body has a duplicate key",
        body("{\"name\":\"work001\",\"name\":\"evil\"}"),
        "MalformedJson",
        "Duplicate field 'name'");
    add(cases, "JSON_API_V1 without a body", body(""), "InvalidPayload", "no data");
    add(
        cases,
        "body is not UTF-8",
        withPayload(GOOD, new byte[] {'{', '"', 'n', (byte) 0xC3, (byte) 0x28, '"', '}'}),
        "MalformedJson",
        "UTF-8");
    add(cases, "body nested 5000 deep", body("[".repeat(5000)), "MalformedJson", "depth");
    add(
        cases,
        "10 MB body",
        withPayload(GOOD, new byte[10 * 1024 * 1024]),
        "OversizeMessage",
        "10485760 bytes");
    add(cases, "eventType missing", attr("eventType", null), "MissingAttribute", "eventType");
    add(cases, "eventType not a type", attr("eventType", "finalize"), "InvalidAttribute", "");
    add(cases, "bucketId missing", attr("bucketId", null), "MissingAttribute", "bucketId");
    add(cases, "objectId missing", attr("objectId", null), "MissingAttribute", "objectId");
    add(cases, "objectId empty", attr("objectId", ""), "MissingAttribute", "empty");
    add(
        cases,
        "objectGeneration missing",
        attr("objectGeneration", null),
        "MissingAttribute",
        "objectGeneration");
    add(cases, "generation not numeric", gen("abc"), "InvalidAttribute", "not a decimal");
    add(cases, "generation negative", gen("-5"), "InvalidAttribute", "not a decimal");
    add(cases, "generation with a space", gen(" 12"), "InvalidAttribute", "not a decimal");
    add(cases, "generation zero", gen("0"), "InvalidAttribute", "not a positive");
    add(
        cases,
        "generation overflows 64 bits",
        gen("9223372036854775808"),
        "InvalidAttribute",
        "64 bits");
    add(cases, "generation of 20 digits", gen("99999999999999999999"), "InvalidAttribute", "");
    add(cases, "eventTime missing", attr("eventTime", null), "MissingAttribute", "eventTime");
    add(cases, "eventTime not a time", attr("eventTime", "yesterday"), "InvalidAttribute", "");
    add(
        cases,
        "overwroteGeneration not numeric",
        attr("overwroteGeneration", "12x"),
        "InvalidAttribute",
        "overwroteGeneration");
    add(cases, "payloadFormat missing", attr("payloadFormat", null), "MissingAttribute", "");
    add(
        cases,
        "payloadFormat unknown",
        attr("payloadFormat", "XML"),
        "UnsupportedPayloadFormat",
        "'XML'");
    add(cases, "name with ..", name("../etc/passwd"), "UnsafeObjectName", "'..' segment");
    add(cases, "name climbing out", name("a/../../b"), "UnsafeObjectName", "'..' segment");
    add(cases, "name with .", name("a/./b"), "UnsafeObjectName", "'.' segment");
    add(cases, "name is ..", name(".."), "UnsafeObjectName", "'..' segment");
    add(cases, "name with NUL", name("a\u0000b"), "UnsafeObjectName", "U+0000");
    add(cases, "name with CR LF", name("a\r\nb"), "UnsafeObjectName", "U+000D");
    add(cases, "name with LF", name("a\nb"), "UnsafeObjectName", "U+000A");
    add(cases, "name with U+0085", name("a\u0085b"), "UnsafeObjectName", "line terminator U+0085");
    add(cases, "name with U+2028", name("a\u2028b"), "UnsafeObjectName", "line terminator U+2028");
    add(cases, "name with U+2029", name("a\u2029b"), "UnsafeObjectName", "line terminator U+2029");
    add(
        cases,
        "name with C1 CSI",
        name("a\u009bb"),
        "UnsafeObjectName",
        "control character U+009B");
    add(cases, "name with DEL", name("a\u007fb"), "UnsafeObjectName", "control character U+007F");
    add(cases, "name with lone high surrogate", name("a\ud800b"), "UnsafeObjectName", "U+D800");
    add(cases, "name with lone low surrogate", name("a\udc00"), "UnsafeObjectName", "U+DC00");
    add(cases, "name absolute", name("/etc/passwd"), "UnsafeObjectName", "starts with '/'");
    add(cases, "name with //", name("a//b"), "UnsafeObjectName", "empty segment");
    add(cases, "name over 1024 bytes", name("é".repeat(513)), "UnsafeObjectName", "1026 bytes");
    add(cases, "bucket climbing", attr("bucketId", "../x"), "InvalidAttribute", "bucket name");
    add(cases, "bucket uppercase", attr("bucketId", "Work"), "InvalidAttribute", "bucket name");
    add(cases, "bucket with slash", attr("bucketId", "a/b"), "InvalidAttribute", "bucket name");
    add(
        cases,
        "payload names another object",
        withBodyField(GOOD, "name", TextNode.valueOf("other")),
        "InconsistentPayload",
        "name 'other'");
    add(
        cases,
        "payload names another bucket",
        withBodyField(GOOD, "bucket", TextNode.valueOf("otherbucket")),
        "InconsistentPayload",
        "bucket");
    add(
        cases,
        "payload has another generation",
        withBodyField(GOOD, "generation", TextNode.valueOf("5")),
        "InconsistentPayload",
        "generation");
    add(
        cases,
        "payload size not numeric",
        withBodyField(GOOD, "size", TextNode.valueOf("big")),
        "InvalidPayload",
        "size");
    add(
        cases,
        "payload size an object",
        withBodyField(GOOD, "size", JsonNodeFactory.instance.objectNode()),
        "InvalidPayload",
        "size");
    add(
        cases,
        "payload name a number",
        withBodyField(GOOD, "name", IntNode.valueOf(7)),
        "InvalidPayload",
        "not text");
    return cases;
  }

  private final PubsubMessage message;
  private final String errorType;
  private final String reason;

  public MalformedNotificationTest(
      String scenario, PubsubMessage message, String errorType, String reason) {
    this.message = message;
    this.errorType = errorType;
    this.reason = reason;
  }

  @Test
  public void isRejectedWithItsErrorTypeAndReason() {
    try {
      NotificationParser.parse(OriginalMessage.of(message), Instant.now());
      fail("accepted a message that should be rejected");
    } catch (NotificationException e) {
      assertEquals(errorType, e.errorType());
      assertThat(e.getMessage(), containsString(reason));
      assertEquals("reason fits on one line", -1, e.getMessage().indexOf('\n'));
    }
  }

  private static void add(
      List<Object[]> cases, String scenario, PubsubMessage message, String type, String reason) {
    cases.add(new Object[] {scenario, message, type, reason});
  }

  private static PubsubMessage body(String json) {
    return withPayload(GOOD, json.getBytes(StandardCharsets.UTF_8));
  }

  private static PubsubMessage attr(String key, String value) {
    return withAttribute(GOOD, key, value);
  }

  private static PubsubMessage gen(String value) {
    return attr("objectGeneration", value);
  }

  /** A message naming {@code objectId} consistently in attributes and body. */
  private static PubsubMessage name(String objectId) {
    return withBodyField(attr("objectId", objectId), "name", TextNode.valueOf(objectId));
  }
}
