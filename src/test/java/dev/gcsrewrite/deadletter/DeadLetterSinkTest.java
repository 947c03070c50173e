package dev.gcsrewrite.deadletter;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.testing.DiscardingTopics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The dead-letter sink publishes every failure output added to it, and refuses to close while a
 * stage's failure output reaches nothing: forgetting to wire a stage fails the graph's build.
 */
public class DeadLetterSinkTest {
  private static final String TOPIC = "projects/p/topics/dead-letters";

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void everyAddedFailureOutputIsPublished() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    sink.addErrorCollection(failures("ParseStep", "m-1"));
    sink.addErrorCollection(failures("ClaimStep", "m-2"));
    sink.close();

    PCollection<String> published =
        sink.getOutput()
            .apply(
                MapElements.into(TypeDescriptor.of(String.class))
                    .via(
                        m ->
                            m.getAttribute("errorStage")
                                + "/"
                                + m.getAttribute("originalMessageId")));
    PAssert.that(published).containsInAnyOrder("ParseStep/m-1", "ClaimStep/m-2");
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void aFailureOutputLeftUnconnectedFailsTheBuildNamingItsStep() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    sink.addErrorCollection(failures("ParseStep", "m-1"));
    failures("ForgottenStep", "m-2");

    IllegalStateException refused = assertThrows(IllegalStateException.class, sink::close);
    assertThat(refused.getMessage(), containsString("ForgottenStep"));
    assertThat(refused.getMessage(), containsString("not connected to the dead-letter topic"));
    assertEquals(false, sink.isClosed());
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void failuresConsumedOnlyByAStepThatDropsThemAreStillUnconnected() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    sink.addErrorCollection(failures("ParseStep", "m-1"));
    failures("CountedStep", "m-2").apply("CountOnly", Count.globally());

    IllegalStateException refused = assertThrows(IllegalStateException.class, sink::close);
    assertThat(refused.getMessage(), containsString("CountedStep"));
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void failuresReachingTheSinkThroughAnotherStepAreConnected() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    PCollection<DeadLetter> both =
        PCollectionList.of(failures("ParseStep", "m-1"))
            .and(failures("ClaimStep", "m-2"))
            .apply("Both", Flatten.pCollections());
    sink.addErrorCollection(both);
    sink.close();

    PAssert.that(sink.getOutput().apply("Count", Count.globally())).containsInAnyOrder(2L);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void failuresAddedAfterCloseAreRefused() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    sink.addErrorCollection(failures("ParseStep", "m-1"));
    sink.close();
    PCollection<DeadLetter> late = failures("LateStep", "m-2");

    assertThrows(IllegalStateException.class, () -> sink.addErrorCollection(late));
    assertThrows(IllegalStateException.class, sink::close);
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void theOutputIsUnavailableBeforeClose() {
    DeadLetterSink sink = DeadLetterSink.publishingTo(pipeline, TOPIC, new DiscardingTopics());
    assertThrows(IllegalStateException.class, sink::getOutput);
    pipeline.enableAbandonedNodeEnforcement(false);
  }

  private PCollection<DeadLetter> failures(String step, String messageId) {
    OriginalMessage original =
        OriginalMessage.of(
            new PubsubMessage(
                "{}".getBytes(StandardCharsets.UTF_8), Map.of("bucketId", "work"), messageId));
    return pipeline.apply(
        step,
        Create.of(new DeadLetter(original, step, "Broken", "it broke", new Instant(0)))
            .withCoder(DeadLetterCoder.of()));
  }
}
