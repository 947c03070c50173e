package dev.gcsrewrite;

import static dev.gcsrewrite.testing.Notifications.BUCKET;
import static dev.gcsrewrite.testing.Notifications.newObject;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.deadletter.DeadLetterMessages;
import dev.gcsrewrite.pubsub.PubsubLimits;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.HostileInputs;
import dev.gcsrewrite.testing.HostileInputs.Case;
import dev.gcsrewrite.testing.HostileInputs.Expect;
import dev.gcsrewrite.testing.LocalBuckets;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Every hostile or odd input of {@link HostileInputs} through the whole graph (TestStream, real
 * Redis, local folders as buckets): each becomes its right output, exactly one publishable dead
 * letter with its reason, or a counted skip, and good work sent afterwards is still processed.
 */
public class HostileInputsPipelineTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final transient LocalBuckets buckets = new LocalBuckets();
  @Rule public final transient TestJob job = new TestJob(REDIS, buckets);
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void eachHostileInputEndsRightAndGoodWorkGoesOnAfterwards() throws IOException {
    List<Case> cases = HostileInputs.cases();
    assertThat("cases in the table", cases.size(), greaterThanOrEqualTo(60));
    HostileInputs.prepare(cases, buckets);

    TestStream.Builder<PubsubMessage> stream = Notifications.stream();
    for (Case c : cases) {
      stream = stream.addElements(TimestampedValue.of(c.message(), T0));
    }
    List<String> afterwards = List.of("after-1.txt", "after-2.txt", "after-3.txt");
    stream = stream.advanceProcessingTime(Duration.standardSeconds(10));
    for (String name : afterwards) {
      buckets.put(name, "AWS " + name);
      byte[] content = Notifications.bytes("AWS " + name);
      stream =
          stream.addElements(TimestampedValue.of(newObject(name, 7, content, "good-" + name), T0));
    }
    GcsRewritePipeline.Outputs outputs =
        job.graph(
            pipeline,
            stream.advanceProcessingTime(Duration.standardSeconds(10)).advanceWatermarkToInfinity(),
            "--workBuckets=" + BUCKET);

    List<String> expectedDead = new ArrayList<>();
    HostileInputs.expectedDeadLetters(cases)
        .forEach((id, type) -> expectedDead.add(id + " " + type));
    PAssert.that(
            outputs
                .deadLetters()
                .apply(
                    "IdAndType",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            m ->
                                m.getAttribute("originalMessageId")
                                    + " "
                                    + m.getAttribute("errorType"))))
        .containsInAnyOrder(expectedDead);
    PAssert.that(outputs.deadLetters())
        .satisfies(HostileInputsPipelineTest::deadLettersArePublishableAndKeepTheirOriginals);
    List<String> expectedComplete = new ArrayList<>();
    for (Case c : cases) {
      if (c.expect() == Expect.OUTPUT) {
        expectedComplete.add(c.objectId());
      }
    }
    expectedComplete.addAll(afterwards);
    PAssert.that(eventsOfType(outputs.complete(), "complete")).containsInAnyOrder(expectedComplete);
    PAssert.that(eventsOfType(outputs.complete(), "skipped"))
        .containsInAnyOrder("deleted-before-read.txt");

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();

    for (Case c : cases) {
      if (c.expect() == Expect.OUTPUT) {
        assertEquals(
            c.scenario(),
            c.expectedOutput(),
            Files.readString(buckets.output(c.objectId() + ".processed"), StandardCharsets.UTF_8));
      }
    }
    for (String name : afterwards) {
      assertEquals("GCP " + name, buckets.outputText(name + ".processed"));
    }
    assertEquals(expectedComplete.size(), Counters.get(result, "objectsWritten"));
    assertEquals(expectedDead.size(), Counters.get(result, "deadLettered"));
    assertEquals(3, Counters.get(result, "skippedNotFinalize"));
    assertEquals(1, Counters.get(result, "skippedFolderPlaceholder"));
    assertEquals(1, Counters.get(result, "skippedSourceMissing"));
  }

  private static PCollection<String> eventsOfType(
      PCollection<PubsubMessage> events, String eventType) {
    return events
        .apply(
            "ObjectsOf/" + eventType,
            MapElements.into(TypeDescriptors.strings())
                .via(
                    m ->
                        eventType.equals(m.getAttribute("eventType"))
                            ? m.getAttribute("objectId")
                            : ""))
        .apply("Only/" + eventType, org.apache.beam.sdk.transforms.Filter.by(s -> !s.isEmpty()));
  }

  private static Void deadLettersArePublishableAndKeepTheirOriginals(
      Iterable<PubsubMessage> deadLetters) {
    Map<String, Case> byId = new TreeMap<>();
    for (Case c : HostileInputs.cases()) {
      byId.put(c.messageId(), c);
    }
    for (PubsubMessage dead : deadLetters) {
      Case c = byId.get(dead.getAttribute("originalMessageId"));
      assertNull(c.scenario(), PubsubLimits.problem(dead.getPayload(), dead.getAttributeMap()));
      String reason = dead.getAttribute("errorMessage");
      assertTrue(c.scenario() + ": a reason", reason != null && !reason.isBlank());
      DeadLetterMessages.Recovered recovered = DeadLetterMessages.originalOf(dead);
      if (c.message().getPayload().length < 65_536) {
        assertTrue(c.scenario() + ": kept whole", recovered.whole());
        assertEquals(
            c.scenario(),
            new TreeMap<>(c.message().getAttributeMap()),
            new TreeMap<>(recovered.original().attributes()));
        assertEquals(
            c.scenario(),
            new String(c.message().getPayload(), StandardCharsets.ISO_8859_1),
            new String(recovered.original().payload(), StandardCharsets.ISO_8859_1));
      }
    }
    return null;
  }
}
