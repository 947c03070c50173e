package dev.gcsrewrite.testing;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.bytes;
import static dev.gcsrewrite.testing.Notifications.event;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static dev.gcsrewrite.testing.Notifications.withAttribute;
import static dev.gcsrewrite.testing.Notifications.withBodyField;
import static dev.gcsrewrite.testing.Notifications.withPayload;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Hostile and odd inputs, with what each must become: the right output, exactly one dead letter
 * with a clear reason, or a counted skip. Names at every limit and with every class of character
 * Cloud Storage allows or forbids, bodies and attributes that disagree, a foreign bucket, oversized
 * messages and attributes, non-JSON, wrong types. The same table runs through the whole graph
 * (TestStream) and through the real emulator and PubsubIO.
 *
 * <p>The pipeline reading it must run with {@code --workBuckets=}{@link Notifications#BUCKET} (so
 * that the foreign bucket is refused) and a local processed folder outside the buckets.
 */
public final class HostileInputs {
  /** The generation every case's object has. */
  public static final long GENERATION = 1764064800000001L;

  /** What a case must become. */
  public enum Expect {
    /** Output {@link Case#objectId}.processed holds the rewrite of {@link Case#content}. */
    OUTPUT,
    /** Exactly one dead letter, of {@link Case#errorType}. */
    DEAD_LETTER,
    /** Nothing written, nothing dead-lettered (a counted skip; some announce a skipped event). */
    SKIP
  }

  /**
   * One input and its expected end.
   *
   * @param scenario what it is, for failure messages
   * @param message the message as it arrives (its message ID is the case's key)
   * @param expect what it must become
   * @param objectId the object, for OUTPUT (and the source file written for it)
   * @param content the source's content, for OUTPUT
   * @param errorType the dead letter's error type, for DEAD_LETTER
   */
  public record Case(
      String scenario,
      PubsubMessage message,
      Expect expect,
      @Nullable String objectId,
      @Nullable String content,
      @Nullable String errorType) {

    public String messageId() {
      return message.getMessageId();
    }

    /** What the output must hold: the content with AWS rewritten to GCP. */
    public String expectedOutput() {
      return String.valueOf(content).replace("AWS", "GCP");
    }
  }

  private final List<Case> cases = new ArrayList<>();
  private int next;

  private HostileInputs() {}

  /** The table. */
  public static List<Case> cases() {
    HostileInputs table = new HostileInputs();
    table.build();
    return List.copyOf(table.cases);
  }

  /** Writes the source objects the cases need into {@code buckets}. */
  public static void prepare(List<Case> cases, LocalBuckets buckets) {
    for (Case c : cases) {
      if (c.expect() == Expect.OUTPUT) {
        buckets.put(c.objectId(), c.content());
      }
    }
    try {
      // Exists, but is a folder: can never be read.
      Files.createDirectories(buckets.source("unreadable-folder-object"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The dead letters the table must produce: message ID to error type. */
  public static Map<String, String> expectedDeadLetters(List<Case> cases) {
    Map<String, String> expected = new HashMap<>();
    for (Case c : cases) {
      if (c.expect() == Expect.DEAD_LETTER) {
        expected.put(c.messageId(), c.errorType());
      }
    }
    return expected;
  }

  private void build() {
    // ---- names Cloud Storage allows: each is processed, its output exactly where expected ----
    output("plain ASCII", "plain-object.txt");
    output("spaces inside and around", " spaced  name .txt ");
    output("Latin accents", "é-accentué.txt");
    output("CJK in folders", "日本語/ファイル.txt");
    output("emoji (4-byte UTF-8)", "emoji-😀-🚀.txt");
    output("right-to-left override", "rtl-\u202Etxt.exe");
    output("zero-width space and joiner", "zero\u200Bwidth\u200Djoin");
    output("NFC é", "nfc-\u00e9");
    output("NFD é (another object)", "nfc-e\u0301");
    output("byte order mark", "\uFEFFbom");
    output("BMP noncharacter U+FFFF", "nonchar-\uFFFF");
    output("glob star", "data*.csv");
    output("glob question mark", "q?.csv");
    output("glob brackets", "[ab].csv");
    output("glob braces", "{a,b}.csv");
    output("glob characters balanced oddly", "]x[a].csv");
    output("hash, percent, backslash", "#1 %41 back\\slash");
    output("colon, quotes, angle brackets, pipe", "c:'\"`<>|&=;+.txt");
    output("deep folders", "a/b/c/d/e/f/g/h.txt");
    output("ends with the output suffix, outside the processed folder", "user.processed");
    output("a .temp-beam segment outside the processed folder", ".temp-beam-x/user.txt");
    output("name + suffix exactly 1024 bytes", limitName('a', 1014));
    output("multibyte name + suffix exactly 1024 bytes", limitName('é', 1014));
    output("a segment of 245 bytes (255 with the suffix)", "s/" + "n".repeat(245));
    output("largest generation", "max-generation.txt", Long.MAX_VALUE);
    outputWith(
        "90 extra attributes beside a good notification",
        "many-attributes.txt",
        extraAttributes(90, 10));
    outputWith(
        "a 1,100-byte extra attribute beside a good notification",
        "big-attribute.txt",
        Map.of("x-junk", "j".repeat(1100)));
    outputWith(
        "a 300-byte attribute key beside a good notification",
        "long-key.txt",
        Map.of("k".repeat(300), "v"));
    outputMessage(
        "payload format NONE with a stray body",
        "none-format.txt",
        withAttribute(
            withPayload(
                newObject("none-format.txt", GENERATION, content("x"), ""), bytes("{not json")),
            "payloadFormat",
            "NONE"));

    // ---- names refused at parse time, each with the character or length named ----
    dead("NUL", name("nul\u0000name"), "UnsafeObjectName");
    dead("CR", name("cr\rname"), "UnsafeObjectName");
    dead("LF", name("lf\nname"), "UnsafeObjectName");
    dead("tab", name("tab\tname"), "UnsafeObjectName");
    dead("DEL", name("del\u007Fname"), "UnsafeObjectName");
    dead("C1 control CSI", name("csi\u009Bname"), "UnsafeObjectName");
    dead("NEL U+0085", name("nel\u0085name"), "UnsafeObjectName");
    dead("line separator U+2028", name("ls\u2028name"), "UnsafeObjectName");
    dead("paragraph separator U+2029", name("ps\u2029name"), "UnsafeObjectName");
    // (Unpaired surrogates cannot arrive: Pub/Sub carries UTF-8 only, and a Beam coder would write
    // them as '?' before the parser saw them. The parser refuses them all the same:
    // MalformedNotificationTest.)
    dead("'..' segment", name("a/../b"), "UnsafeObjectName");
    dead("'.' segment", name("./a"), "UnsafeObjectName");
    dead("name '..'", name(".."), "UnsafeObjectName");
    dead("leading slash", name("/abs"), "UnsafeObjectName");
    dead("empty segment", name("a//b"), "UnsafeObjectName");
    dead("1,025 bytes", name("n".repeat(1025)), "UnsafeObjectName");
    dead(
        "1,100 bytes (the name that once stopped the job)",
        name("n".repeat(1100)),
        "UnsafeObjectName");
    dead("multibyte over 1,024 bytes", name("é".repeat(513)), "UnsafeObjectName");
    dead("empty name", attr(goodFor("x"), "objectId", ""), "MissingAttribute");

    // ---- legal names whose output could not be written under its name ----
    dead("name + suffix 1,025 bytes", name(limitName('a', 1015)), "OutputNameTooLong");
    dead("a 250-byte segment (260 with the suffix)", name("n".repeat(250)), "OutputNameTooLong");

    // ---- legal names Beam's local file system cannot rename into place (fine on Cloud Storage)
    // ----
    dead("unclosed bracket", name("]x[.csv"), "OutputNameNotLocal");
    dead("unclosed brace", name("a{b.csv"), "OutputNameNotLocal");
    dead("folder inside brackets", name("a[b/c].csv"), "OutputNameNotLocal");

    // ---- attributes and bodies that are wrong or disagree ----
    dead("body not JSON", body("{oops"), "MalformedJson");
    dead("body a JSON array", body("[1,2]"), "InvalidPayload");
    dead("body with a duplicate key", body("{\"name\":\"a\",\"name\":\"b\"}"), "MalformedJson");
    dead(
        "body not UTF-8",
        withPayload(goodFor("x"), new byte[] {'{', (byte) 0xC3, '}'}),
        "MalformedJson");
    dead(
        "body names another bucket",
        field("bucket", TextNode.valueOf("other-bucket")),
        "InconsistentPayload");
    dead(
        "body names another object",
        field("name", TextNode.valueOf("other")),
        "InconsistentPayload");
    dead(
        "body has another generation",
        field("generation", TextNode.valueOf("5")),
        "InconsistentPayload");
    dead(
        "size is an object",
        field("size", JsonNodeFactory.instance.objectNode()),
        "InvalidPayload");
    dead("generation is a boolean", field("generation", BooleanNode.TRUE), "InvalidPayload");
    dead("eventType missing", attr(goodFor("x"), "eventType", null), "MissingAttribute");
    dead("bucketId missing", attr(goodFor("x"), "bucketId", null), "MissingAttribute");
    dead("objectId missing", attr(goodFor("x"), "objectId", null), "MissingAttribute");
    dead(
        "objectGeneration missing",
        attr(goodFor("x"), "objectGeneration", null),
        "MissingAttribute");
    dead("eventTime missing", attr(goodFor("x"), "eventTime", null), "MissingAttribute");
    dead("payloadFormat missing", attr(goodFor("x"), "payloadFormat", null), "MissingAttribute");
    dead(
        "generation not numeric",
        attr(goodFor("x"), "objectGeneration", "12abc"),
        "InvalidAttribute");
    dead("generation negative", attr(goodFor("x"), "objectGeneration", "-3"), "InvalidAttribute");
    dead(
        "generation past 64 bits",
        attr(goodFor("x"), "objectGeneration", "99999999999999999999"),
        "InvalidAttribute");
    dead(
        "eventTime not RFC 3339",
        attr(goodFor("x"), "eventTime", "last tuesday"),
        "InvalidAttribute");
    dead(
        "payload format XML",
        attr(goodFor("x"), "payloadFormat", "XML"),
        "UnsupportedPayloadFormat");
    dead("bucket name invalid", attr(goodFor("x"), "bucketId", "Bad_Bucket!"), "InvalidAttribute");
    dead(
        "no payload, no attributes",
        new PubsubMessage(new byte[0], Map.of(), null),
        "MissingAttribute");
    dead("70 KiB body", withPayload(goodFor("x"), new byte[70 * 1024]), "OversizeMessage");
    dead(
        "110 attributes on a broken notification",
        withAttributes(attr(goodFor("x"), "eventType", null), extraAttributes(110, 5)),
        "MissingAttribute");
    dead(
        "300-byte attribute key on a broken notification",
        withAttributes(body("{oops"), Map.of("k".repeat(300), "v")),
        "MalformedJson");

    // ---- a bucket nobody configured ----
    dead(
        "another bucket's notification",
        withPayload(
            attr(goodFor("foreign.txt"), "bucketId", "someone-elses-bucket"),
            bytes("{\"bucket\":\"someone-elses-bucket\"}")),
        "BucketNotAllowed");

    // ---- sources that cannot be, or are no longer, read ----
    dead("source is a folder", goodFor("unreadable-folder-object"), "SourceUnreadable");
    skip("source no longer exists (a skipped event)", goodFor("deleted-before-read.txt"));

    // ---- events with nothing to rewrite ----
    skip("delete event", event("OBJECT_DELETE", "plain-object.txt", GENERATION, id()));
    skip("metadata update", event("OBJECT_METADATA_UPDATE", "plain-object.txt", GENERATION, id()));
    skip("archive event", event("OBJECT_ARCHIVE", "plain-object.txt", GENERATION, id()));
    skip("folder placeholder", event("OBJECT_FINALIZE", "some/folder/", GENERATION, id()));
  }

  private void output(String scenario, String objectId) {
    output(scenario, objectId, GENERATION);
  }

  private void output(String scenario, String objectId, long generation) {
    outputMessage(scenario, objectId, newObject(objectId, generation, content(scenario), ""));
  }

  private void outputWith(String scenario, String objectId, Map<String, String> extra) {
    outputMessage(
        scenario,
        objectId,
        withAttributes(newObject(objectId, GENERATION, content(scenario), ""), extra));
  }

  private void outputMessage(String scenario, String objectId, PubsubMessage message) {
    cases.add(
        new Case(
            scenario, withId(message), Expect.OUTPUT, objectId, "AWS " + scenario + " AWS", null));
  }

  /** The content of an OUTPUT case's source: its scenario between two tokens. */
  private static byte[] content(String scenario) {
    return ("AWS " + scenario + " AWS").getBytes(StandardCharsets.UTF_8);
  }

  private void dead(String scenario, PubsubMessage message, String errorType) {
    cases.add(new Case(scenario, withId(message), Expect.DEAD_LETTER, null, null, errorType));
  }

  private void skip(String scenario, PubsubMessage message) {
    cases.add(new Case(scenario, withId(message), Expect.SKIP, null, null, null));
  }

  private PubsubMessage withId(PubsubMessage message) {
    return new PubsubMessage(message.getPayload(), message.getAttributeMap(), id());
  }

  private String id() {
    return "hostile-" + next++;
  }

  /** A name of {@code bytes} UTF-8 bytes made of {@code c}, in folders of at most 240 bytes. */
  private static String limitName(char c, int bytes) {
    int width = String.valueOf(c).getBytes(StandardCharsets.UTF_8).length;
    StringBuilder name = new StringBuilder();
    int used = 0;
    int inSegment = 0;
    while (used < bytes) {
      if (inSegment + width > 240 && bytes - used > 1) {
        name.append('/');
        used++;
        inSegment = 0;
      } else if (bytes - used < width) {
        name.append('x');
        used++;
        inSegment++;
      } else {
        name.append(c);
        used += width;
        inSegment += width;
      }
    }
    return name.toString();
  }

  private static PubsubMessage goodFor(String objectId) {
    return newObject(objectId, GENERATION, 10, "");
  }

  /** A good notification renamed to {@code objectId} in attributes and body alike. */
  private static PubsubMessage name(String objectId) {
    return withBodyField(
        withAttribute(goodFor("x"), "objectId", objectId), "name", TextNode.valueOf(objectId));
  }

  private static PubsubMessage attr(PubsubMessage message, String key, String value) {
    return withAttribute(message, key, value);
  }

  private static PubsubMessage body(String json) {
    return withPayload(goodFor("x"), bytes(json));
  }

  private static PubsubMessage field(String name, com.fasterxml.jackson.databind.JsonNode value) {
    return withBodyField(goodFor("x"), name, value);
  }

  private static PubsubMessage withAttributes(PubsubMessage message, Map<String, String> extra) {
    Map<String, String> attributes = new HashMap<>(message.getAttributeMap());
    attributes.putAll(extra);
    return new PubsubMessage(message.getPayload(), attributes, message.getMessageId());
  }

  private static Map<String, String> extraAttributes(int count, int valueBytes) {
    Map<String, String> extra = new HashMap<>();
    for (int i = 0; i < count; i++) {
      extra.put(String.format("extra-%03d", i), "v".repeat(valueBytes));
    }
    return extra;
  }

  /** The bucket every case but the foreign one names. */
  public static String bucket() {
    return BUCKET;
  }
}
