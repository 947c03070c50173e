package dev.gcsrewrite.testing;

import dev.gcsrewrite.pubsub.TopicWriter;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * A {@link TopicWriter} for pipeline tests that observe the messages the pipeline returns (what it
 * would publish) instead of a Pub/Sub service: publishing drops them.
 */
public final class DiscardingTopics implements TopicWriter {
  private static final long serialVersionUID = 1L;

  @Override
  public PTransform<PCollection<PubsubMessage>, PDone> to(String topic) {
    return new Discard();
  }

  private static final class Discard extends PTransform<PCollection<PubsubMessage>, PDone> {
    @Override
    public PDone expand(PCollection<PubsubMessage> messages) {
      messages.apply("Drop", ParDo.of(new DropFn()));
      return PDone.in(messages.getPipeline());
    }
  }

  private static final class DropFn extends DoFn<PubsubMessage, Void> {
    @ProcessElement
    public void process() {}
  }
}
