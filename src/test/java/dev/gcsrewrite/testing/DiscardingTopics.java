package dev.gcsrewrite.testing;

import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * A {@link TopicWriter} for pipeline tests that observe the messages the pipeline returns (what it
 * would publish) instead of a Pub/Sub service: publishing drops them.
 */
public final class DiscardingTopics implements TopicWriter {
  private static final long serialVersionUID = 1L;

  @Override
  public PCollection<PubsubMessage> publish(PCollection<PubsubMessage> messages, String topic) {
    messages.apply("Publish", ParDo.of(new DropFn()));
    return messages;
  }

  private static final class DropFn extends DoFn<PubsubMessage, Void> {
    @ProcessElement
    public void process() {}
  }
}
