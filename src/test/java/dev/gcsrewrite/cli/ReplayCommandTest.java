package dev.gcsrewrite.cli;

import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.testing.CommandRun;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.TestName;

/**
 * The replay command against the real Pub/Sub emulator: what it republishes, what it acknowledges
 * and what it leaves on the dead-letter subscription, and how it exits.
 */
public class ReplayCommandTest {
  private static final Instant FAILED_AT = Instant.parse("2026-11-23T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();
  @Rule public final TestName test = new TestName();
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  private String name;

  @Before
  public void createTopics() {
    name = test.getMethodName().toLowerCase(java.util.Locale.ROOT);
    PUBSUB.createTopic(name + "-dead");
    PUBSUB.createSubscription(name + "-dead-replay", name + "-dead");
    PUBSUB.createTopic(name + "-work");
    PUBSUB.createSubscription(name + "-work-watch", name + "-work");
  }

  @Test
  public void matchingDeadLettersAreRepublishedWithTheMarkerAndTheRestStay() {
    PubsubMessage unreadable1 = notification("a.csv", 11, "m-a");
    PubsubMessage unreadable2 = notification("b.csv", 12, "m-b");
    PubsubMessage malformed = notification("c.csv", 13, "m-c");
    publishDeadLetters(
        deadLetter(unreadable1, "WriteProcessedObjects", "SourceUnreadable", FAILED_AT),
        deadLetter(unreadable2, "WriteProcessedObjects", "SourceUnreadable", FAILED_AT),
        deadLetter(malformed, "ParseNotifications", "MalformedJson", FAILED_AT));

    CommandRun run = replay("--errorType=SourceUnreadable");

    assertEquals(run.err(), ExitCode.OK, run.code());
    List<PubsubMessage> republished = PUBSUB.pull(name + "-work-watch");
    assertThat(republished, hasSize(2));
    Map<String, PubsubMessage> byObject = new HashMap<>();
    republished.forEach(m -> byObject.put(m.getAttribute("objectId"), m));
    assertSameOriginalWithMarker(unreadable1, byObject.get("a.csv"));
    assertSameOriginalWithMarker(unreadable2, byObject.get("b.csv"));
    assertThat(run.out(), containsString("republished     2"));
    assertThat(run.out(), containsString("skipped         1"));
    // The skipped dead letter is released at the end: available at once, unchanged.
    List<PubsubMessage> left = PUBSUB.pull(name + "-dead-replay");
    assertThat(left, hasSize(1));
    assertEquals("MalformedJson", left.get(0).getAttribute(DeadLetterMessages.ERROR_TYPE));
  }

  @Test
  public void stageAndTimeFiltersChooseByStepAndFailureTime() {
    publishDeadLetters(
        deadLetter(
            notification("early.csv", 1, "m1"),
            "WriteProcessedObjects",
            "SourceUnreadable",
            Instant.parse("2026-11-22T23:59:59Z")),
        deadLetter(
            notification("inside.csv", 2, "m2"),
            "WriteProcessedObjects",
            "SourceUnreadable",
            Instant.parse("2026-11-23T00:00:00Z")),
        deadLetter(
            notification("other-step.csv", 3, "m3"),
            "ClaimInRedis",
            "ClaimRecordUnusable",
            Instant.parse("2026-11-23T05:00:00Z")),
        deadLetter(
            notification("late.csv", 4, "m4"),
            "WriteProcessedObjects",
            "SourceUnreadable",
            Instant.parse("2026-11-24T00:00:00Z")));

    CommandRun run =
        replay(
            "--errorStage=WriteProcessedObjects",
            "--failedAfter=2026-11-23T00:00:00Z",
            "--failedBefore=2026-11-24T00:00:00Z");

    assertEquals(run.err(), ExitCode.OK, run.code());
    List<PubsubMessage> republished = PUBSUB.pull(name + "-work-watch");
    assertThat(republished, hasSize(1));
    assertEquals("inside.csv", republished.get(0).getAttribute("objectId"));
    assertThat(PUBSUB.pull(name + "-dead-replay"), hasSize(3));
  }

  @Test
  public void dryRunPublishesAndAcknowledgesNothing() {
    publishDeadLetters(
        deadLetter(notification("a.csv", 1, "m1"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("b.csv", 2, "m2"), "S", "SourceUnreadable", FAILED_AT));

    CommandRun run = replay("--dry-run");

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("would republish"));
    assertThat(run.out(), containsString("gs://" + Notifications.BUCKET + "/a.csv#1"));
    assertThat(run.out(), containsString("would republish 2"));
    assertNothingRepublishedAndLeftOnTheSubscription(2);
  }

  @Test
  public void truncatedOrUnreadableEnvelopeIsCountedAndNeverRepublished() {
    Map<String, String> truncated = new TreeMap<>();
    truncated.put(DeadLetterMessages.ERROR_STAGE, "ParseNotifications");
    truncated.put(DeadLetterMessages.ERROR_TYPE, "OversizeMessage");
    truncated.put(DeadLetterMessages.DEAD_LETTER_FORMAT, DeadLetterMessages.ENVELOPE);
    truncated.put(DeadLetterMessages.PAYLOAD_TRUNCATED, "true");
    truncated.put(DeadLetterMessages.ORIGINAL_PAYLOAD_BYTES, "12000000");
    byte[] envelope =
        "{\"deadLetterFormat\":\"envelope\",\"messageId\":\"m1\",\"attributes\":{},\"data\":\"QUJD\"}"
            .getBytes(StandardCharsets.US_ASCII);
    Map<String, String> unreadable = new TreeMap<>(truncated);
    unreadable.remove(DeadLetterMessages.PAYLOAD_TRUNCATED);
    unreadable.remove(DeadLetterMessages.ORIGINAL_PAYLOAD_BYTES);
    PUBSUB.publish(
        name + "-dead",
        List.of(
            new PubsubMessage(envelope, truncated),
            new PubsubMessage("not json".getBytes(StandardCharsets.US_ASCII), unreadable)));

    CommandRun run = replay();

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("unrecoverable   2"));
    assertThat(run.out(), containsString("republished     0"));
    assertNothingRepublishedAndLeftOnTheSubscription(2);
  }

  @Test
  public void archiveAloneMovesDeadLettersToAFolderAndAReplayReadsThemBack() throws Exception {
    PubsubMessage original = notification("kept.csv", 7, "m7");
    publishDeadLetters(
        deadLetter(original, "WriteProcessedObjects", "SourceUnreadable", FAILED_AT));
    Path archive = folder.newFolder("archive").toPath();

    CommandRun archived = replay(List.of("--archive=" + archive), false);

    assertEquals(archived.err(), ExitCode.OK, archived.code());
    assertThat(archived.out(), containsString("archived        1"));
    assertThat(filesIn(archive), hasSize(1));
    assertThat(PUBSUB.pull(name + "-dead-replay"), empty());
    assertThat(PUBSUB.pull(name + "-work-watch"), empty());

    CommandRun replayed =
        CommandRun.of(
            GcsRewriteCli::execute,
            withPubsub(
                "replay",
                "--from=" + archive,
                "--to=" + PubsubEmulator.topic(name + "-work"),
                "--errorType=SourceUnreadable"));

    assertEquals(replayed.err(), ExitCode.OK, replayed.code());
    List<PubsubMessage> republished = PUBSUB.pull(name + "-work-watch");
    assertThat(republished, hasSize(1));
    assertSameOriginalWithMarker(original, republished.get(0));
    assertThat(replayed.out(), containsString("archive files are kept"));
    assertThat(filesIn(archive), hasSize(1));
  }

  @Test
  public void replayWithArchiveWritesEachDeadLetterItRepublishes() throws Exception {
    publishDeadLetters(
        deadLetter(notification("a.csv", 1, "m1"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("b.csv", 2, "m2"), "S", "MalformedJson", FAILED_AT));
    Path archive = folder.newFolder("archive").toPath();

    CommandRun run = replay("--errorType=SourceUnreadable", "--archive=" + archive);

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(PUBSUB.pull(name + "-work-watch"), hasSize(1));
    List<Path> files = filesIn(archive);
    assertThat(files, hasSize(1));
    assertThat(
        Files.readString(files.get(0)), containsString("\"errorType\":\"SourceUnreadable\""));
  }

  @Test
  public void archivedFileIsTheDeadLetterInPubsubJsonNamedByItsMessageId() throws Exception {
    String id =
        PUBSUB
            .publish(
                name + "-dead",
                List.of(deadLetter(notification("a.csv", 1, "m1"), "S", "Unreadable", FAILED_AT)))
            .get(0);
    Path archive = folder.newFolder("archive").toPath();

    CommandRun run = replay(List.of("--archive=" + archive), false);

    assertEquals(run.err(), ExitCode.OK, run.code());
    List<Path> files = filesIn(archive);
    assertEquals(List.of(archive.resolve(id + ".json")), files);
    String json = Files.readString(files.get(0));
    for (String field : List.of("\"data\":", "\"attributes\":{", "\"messageId\":\"" + id)) {
      assertThat(json, containsString(field));
    }
    assertThat(json, containsString("\"publishTime\":\"20"));
  }

  @Test
  public void archiveFilesInTheEarlierLayoutAreReplayedAndUnreadableOnesReported()
      throws Exception {
    PubsubMessage original = notification("old.csv", 5, "m5");
    PubsubMessage deadLetter = deadLetter(original, "S", "SourceUnreadable", FAILED_AT);
    Path archive = folder.newFolder("archive").toPath();
    // As the archive wrote it before it used Pub/Sub's JSON form: other field order, a time in
    // whole seconds.
    ObjectNode earlier = JSON.createObjectNode();
    earlier.put("messageId", "1001");
    earlier.put("publishTime", "2026-11-23T10:00:01Z");
    deadLetter.getAttributeMap().forEach(earlier.putObject("attributes")::put);
    earlier.put("data", Base64.getEncoder().encodeToString(deadLetter.getPayload()));
    Files.writeString(archive.resolve("1001.json"), JSON.writeValueAsString(earlier));
    Files.writeString(archive.resolve("1002.json"), "not json");
    Files.writeString(archive.resolve("1003.json"), "{}");

    CommandRun run =
        CommandRun.of(
            GcsRewriteCli::execute,
            withPubsub(
                "replay", "--from=" + archive, "--to=" + PubsubEmulator.topic(name + "-work")));

    assertEquals(run.err(), ExitCode.OK, run.code());
    List<PubsubMessage> republished = PUBSUB.pull(name + "-work-watch");
    assertThat(republished, hasSize(1));
    assertSameOriginalWithMarker(original, republished.get(0));
    assertThat(run.out(), containsString("read            1 dead letters"));
    List<String> errors = run.err().lines().toList();
    assertThat(errors, hasSize(2));
    assertThat(errors.get(0), containsString("replay: unreadable: "));
    assertThat(errors.get(0), containsString("1002.json: "));
    assertThat(errors.get(1), containsString("1003.json: not an archived dead letter"));
    assertThat(filesIn(archive), hasSize(3));
  }

  @Test
  public void originalOverAPubsubLimitWithTheMarkerStaysUnpublished() {
    Map<String, String> attributes = new TreeMap<>();
    for (int i = 0; i < 100; i++) {
      attributes.put("a" + i, "v");
    }
    PubsubMessage full = new PubsubMessage(new byte[] {1}, attributes, "m-full");
    publishDeadLetters(deadLetter(full, "ParseNotifications", "MalformedJson", FAILED_AT));

    CommandRun run = replay();

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("unpublishable   1"));
    assertThat(run.out(), containsString("101 attributes; the limit is 100"));
    assertNothingRepublishedAndLeftOnTheSubscription(1);
  }

  @Test
  public void showPrintsTheFirstDecisionsAndCountsTheRest() {
    publishDeadLetters(
        deadLetter(notification("a.csv", 1, "m1"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("b.csv", 2, "m2"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("c.csv", 3, "m3"), "S", "SourceUnreadable", FAILED_AT));

    CommandRun run =
        replay(List.of("--archive=" + folder.getRoot(), "--dry-run", "--show=1"), false);

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertEquals(
        1, run.out().lines().filter(l -> l.contains("S/SourceUnreadable  failed")).count());
    assertThat(run.out(), containsString("  ... and 2 more (--show=N to see them)"));
    assertThat(run.out(), containsString("would archive   3"));
    assertNothingRepublishedAndLeftOnTheSubscription(3);
  }

  @Test
  public void maxStopsAfterThatManyDeadLetters() {
    publishDeadLetters(
        deadLetter(notification("a.csv", 1, "m1"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("b.csv", 2, "m2"), "S", "SourceUnreadable", FAILED_AT),
        deadLetter(notification("c.csv", 3, "m3"), "S", "SourceUnreadable", FAILED_AT));

    CommandRun run = replay("--max=2");

    assertEquals(run.err(), ExitCode.OK, run.code());
    assertThat(run.out(), containsString("read            2 dead letters"));
    assertThat(PUBSUB.pull(name + "-work-watch"), hasSize(2));
    assertThat(PUBSUB.pull(name + "-dead-replay"), hasSize(1));
  }

  @Test
  public void unreachablePubsubExitsThreeInOneLine() throws Exception {
    CommandRun run =
        CommandRun.of(
            GcsRewriteCli::execute,
            "replay",
            "--from=" + PubsubEmulator.subscription(name + "-dead-replay"),
            "--to=" + PubsubEmulator.topic(name + "-work"),
            "--pubsubRootUrl=http://127.0.0.1:" + Ports.free(),
            "--credentialFactoryClass="
                + "org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory");

    assertEquals(ExitCode.UNAVAILABLE, run.code());
    assertThat(run.err(), containsString("replay: cannot reach Pub/Sub at http://127.0.0.1:"));
    assertEquals(1, run.err().lines().count());

    CommandRun noHost =
        CommandRun.of(
            GcsRewriteCli::execute,
            "replay",
            "--from=" + PubsubEmulator.subscription(name + "-dead-replay"),
            "--to=" + PubsubEmulator.topic(name + "-work"),
            "--pubsubRootUrl=emulator:8085");
    assertEquals(ExitCode.UNAVAILABLE, noHost.code());
    assertEquals("replay: --pubsubRootUrl 'emulator:8085' names no host\n", noHost.err());
  }

  @Test
  public void missingSubscriptionOrTopicIsRefused() {
    CommandRun noSubscription =
        CommandRun.of(
            GcsRewriteCli::execute,
            withPubsub(
                "replay",
                "--from=" + PubsubEmulator.subscription("no-such-sub"),
                "--to=" + PubsubEmulator.topic(name + "-work")));
    assertEquals(ExitCode.USAGE, noSubscription.code());
    assertThat(noSubscription.err(), containsString("no subscription"));

    CommandRun noTopic =
        CommandRun.of(
            GcsRewriteCli::execute,
            withPubsub(
                "replay",
                "--from=" + PubsubEmulator.subscription(name + "-dead-replay"),
                "--to=" + PubsubEmulator.topic("no-such-topic")));
    assertEquals(ExitCode.USAGE, noTopic.code());
    assertThat(noTopic.err(), containsString("no topic"));
  }

  @Test
  public void badArgumentsExitTwoInOneLine() {
    String sub = "--from=" + PubsubEmulator.subscription("s-x");
    String topic = "--to=" + PubsubEmulator.topic("t-x");
    List<List<String>> cases =
        List.of(
            List.of("replay", topic),
            List.of("replay", sub),
            List.of("replay", sub, "--to=work-notifications"),
            List.of("replay", "--from=projects/p/topics/t", topic),
            List.of("replay", sub, topic, "--failedAfter=yesterday"),
            List.of("replay", sub, topic, "--max=-1"),
            List.of("replay", sub, topic, "--noSuchOption=1"),
            List.of("replay", sub, topic, "stray"));
    for (List<String> args : cases) {
      CommandRun run = CommandRun.of(GcsRewriteCli::execute, args.toArray(new String[0]));
      assertEquals(args.toString(), ExitCode.USAGE, run.code());
      assertThat(args.toString(), run.err(), containsString("replay: "));
      assertEquals(args.toString(), 1, run.err().lines().count());
    }
  }

  private CommandRun replay(String... options) {
    return replay(List.of(options), true);
  }

  private CommandRun replay(List<String> options, boolean toWork) {
    List<String> args = new ArrayList<>();
    args.add("replay");
    args.add("--from=" + PubsubEmulator.subscription(name + "-dead-replay"));
    if (toWork) {
      args.add("--to=" + PubsubEmulator.topic(name + "-work"));
    }
    args.addAll(options);
    return CommandRun.of(GcsRewriteCli::execute, withPubsub(args.toArray(new String[0])));
  }

  private static String[] withPubsub(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--pubsubRootUrl=" + PUBSUB.rootUrl());
    all.add("--project=" + PubsubEmulator.PROJECT);
    all.add(
        "--credentialFactoryClass=org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory");
    return all.toArray(new String[0]);
  }

  private static PubsubMessage notification(String objectId, long generation, String messageId) {
    PubsubMessage message = newObject(objectId, generation, 10, messageId);
    return new PubsubMessage(message.getPayload(), message.getAttributeMap(), messageId);
  }

  private static PubsubMessage deadLetter(
      PubsubMessage original, String stage, String type, Instant failedAt) {
    return DeadLetterMessages.toPubsubMessage(
        new DeadLetter(
            OriginalMessage.of(original), stage, type, "it failed at " + stage, failedAt));
  }

  private void publishDeadLetters(PubsubMessage... deadLetters) {
    PUBSUB.publish(name + "-dead", List.of(deadLetters));
  }

  private void assertNothingRepublishedAndLeftOnTheSubscription(int deadLetters) {
    assertThat(PUBSUB.pull(name + "-work-watch"), empty());
    assertThat(PUBSUB.pull(name + "-dead-replay"), hasSize(deadLetters));
  }

  private static void assertSameOriginalWithMarker(PubsubMessage original, PubsubMessage replayed) {
    assertArrayEquals(original.getPayload(), replayed.getPayload());
    Map<String, String> expected = new TreeMap<>(original.getAttributeMap());
    Map<String, String> actual = new TreeMap<>(replayed.getAttributeMap());
    String marker = actual.remove(NotificationParser.REPLAY);
    assertTrue("replay marker: " + marker, marker != null && marker.startsWith("dead letter "));
    assertEquals(expected, actual);
  }

  private static List<Path> filesIn(Path folder) throws Exception {
    try (Stream<Path> files = Files.list(folder)) {
      return files.sorted(Comparator.naturalOrder()).toList();
    }
  }
}
