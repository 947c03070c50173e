package dev.gcsrewrite.pubsub;

import static org.apache.beam.sdk.values.TypeDescriptors.strings;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.Eventually;
import dev.gcsrewrite.testing.servers.PubsubEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Beam's Pub/Sub writer behind {@link TopicWriter#pubsub()}, against the real emulator: a message
 * the writer refuses costs that message (logged, counted), never the job.
 */
public class PubsubTopicWriterTest {
  @ClassRule public static final PubsubEmulator PUBSUB = new PubsubEmulator();

  @Rule public final transient TestPipeline pipeline = TestPipeline.fromOptions(options());

  private static PubsubOptions options() {
    PubsubOptions options = PipelineOptionsFactory.create().as(PubsubOptions.class);
    options.setProject(PubsubEmulator.PROJECT);
    options.as(GcpOptions.class).setCredentialFactoryClass(NoopCredentialFactory.class);
    options.setPubsubRootUrl(PUBSUB.rootUrl());
    return options;
  }

  @Test
  public void messageTheWriterRefusesIsCountedAndTheOthersArePublished() throws Exception {
    PUBSUB.createTopic("writer-out");
    PUBSUB.createSubscription("writer-out-watch", "writer-out");
    TestStream<PubsubMessage> messages =
        TestStream.create(PubsubMessageWithAttributesCoder.of())
            .addElements(message("first", Map.of("n", "1")))
            // Over the 1024-byte attribute value limit: Beam's writer refuses it.
            .addElements(message("refused", Map.of("objectId", "n".repeat(1100))))
            .addElements(message("last", Map.of("n", "3")))
            .advanceWatermarkToInfinity();

    TopicWriter.pubsub().publish(pipeline.apply(messages), PubsubEmulator.topic("writer-out"));
    PipelineResult result = pipeline.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Set<String> received = new TreeSet<>();
    Eventually.await(
        "both publishable messages to arrive",
        Duration.ofSeconds(30),
        () -> {
          for (PubsubMessage m : PUBSUB.pull("writer-out-watch")) {
            received.add(new String(m.getPayload(), StandardCharsets.UTF_8));
          }
          return received.size() >= 2;
        });
    assertEquals(Set.of("first", "last"), received);
    assertEquals(1, Counters.get(result, "unpublishableMessages"));
  }

  @Test
  public void confirmedPublishToAMissingTopicWaitsSaysWhyAndGoesOnOnceTheTopicExists()
      throws Exception {
    TestStream<PubsubMessage> messages =
        TestStream.create(PubsubMessageWithAttributesCoder.of())
            .addElements(message("kept", Map.of("n", "1")))
            .advanceWatermarkToInfinity();
    // No such topic yet, as after someone deleted it: Pub/Sub answers 404 until it exists.
    PCollection<PubsubMessage> confirmed =
        TopicWriter.pubsub()
            .publishConfirmed(pipeline.apply(messages), PubsubEmulator.topic("missing-out"));
    PAssert.that(confirmed.apply(MapElements.into(strings()).via(m -> payload(m))))
        .containsInAnyOrder("kept");

    CompletableFuture<PipelineResult> run =
        CompletableFuture.supplyAsync(
            () -> {
              PipelineResult result = pipeline.run();
              result.waitUntilFinish();
              return result;
            });
    Eventually.await(
        "the publish to wait for the topic after a refusal",
        Duration.ofSeconds(60),
        () -> {
          assertFalse("the pipeline ended while its topic was missing", run.isDone());
          return publishWaiting();
        });
    PUBSUB.createTopic("missing-out");

    PipelineResult result = run.get(60, TimeUnit.SECONDS);
    assertEquals(PipelineResult.State.DONE, result.getState());
    assertThat(Counters.get(result, "publishRefused"), greaterThan(0L));
    assertThat(
        ConfirmedPublishFn.refusal(
            new HttpResponseException.Builder(404, "Not Found", new HttpHeaders()).build()),
        startsWith("the topic does not exist"));
  }

  /** Whether a thread sleeps in {@link ConfirmedPublishFn}, before trying to publish again. */
  private static boolean publishWaiting() {
    for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
      if (stack.length > 0
          && stack[0].getMethodName().startsWith("sleep")
          && Arrays.stream(stack)
              .anyMatch(frame -> frame.getClassName().equals(ConfirmedPublishFn.class.getName()))) {
        return true;
      }
    }
    return false;
  }

  private static String payload(PubsubMessage message) {
    return new String(message.getPayload(), StandardCharsets.UTF_8);
  }

  private static PubsubMessage message(String payload, Map<String, String> attributes) {
    return new PubsubMessage(payload.getBytes(StandardCharsets.UTF_8), attributes);
  }
}
