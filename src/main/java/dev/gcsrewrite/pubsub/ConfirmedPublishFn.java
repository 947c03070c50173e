package dev.gcsrewrite.pubsub;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubJsonClient;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a bundle's messages to one topic when the bundle finishes, and outputs each message
 * once Pub/Sub has accepted it: what comes out has been published. A failed publish is retried (0.5
 * s doubling to 30 s) until it succeeds, as the claims' Redis is, because failing the bundle would
 * end the job on a runner that does not retry bundles; a message published twice after a retried
 * bundle is a repeat that consumers drop by its {@code eventId}.
 */
final class ConfirmedPublishFn extends DoFn<PubsubMessage, PubsubMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublishFn.class);

  /** Pub/Sub's limits per publish request: 1,000 messages, 10 MB (some room kept). */
  static final int MAX_MESSAGES = 1000;

  static final long MAX_BYTES = 8L << 20;

  private static final long FIRST_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final String topic;
  private transient @Nullable PubsubClient client;
  private transient List<Pending> pending = new ArrayList<>();

  ConfirmedPublishFn(String topic) {
    this.topic = topic;
  }

  private record Pending(PubsubMessage message, Instant timestamp, BoundedWindow window) {}

  @StartBundle
  public void startBundle(StartBundleContext context) throws IOException {
    if (client == null) {
      client =
          PubsubJsonClient.FACTORY.newClient(
              null, null, context.getPipelineOptions().as(PubsubOptions.class));
    }
    pending = new ArrayList<>();
  }

  @ProcessElement
  public void process(
      @Element PubsubMessage message, @Timestamp Instant timestamp, BoundedWindow window) {
    pending.add(new Pending(message, timestamp, window));
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    int from = 0;
    while (from < pending.size()) {
      int to = from;
      long bytes = 0;
      while (to < pending.size() && to - from < MAX_MESSAGES) {
        long size = size(pending.get(to).message());
        if (to > from && bytes + size > MAX_BYTES) {
          break;
        }
        bytes += size;
        to++;
      }
      List<Pending> chunk = pending.subList(from, to);
      publish(chunk);
      for (Pending published : chunk) {
        context.output(published.message(), published.timestamp(), published.window());
      }
      from = to;
    }
    pending = new ArrayList<>();
  }

  @Teardown
  public void teardown() throws IOException {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  private void publish(List<Pending> chunk) throws InterruptedException {
    List<PubsubClient.OutgoingMessage> outgoing = new ArrayList<>(chunk.size());
    for (Pending item : chunk) {
      outgoing.add(
          PubsubClient.OutgoingMessage.of(
              item.message(), item.timestamp().getMillis(), null, null));
    }
    PubsubClient.TopicPath path = PubsubClient.topicPathFromPath(topic);
    long backoff = FIRST_BACKOFF_MILLIS;
    for (int attempt = 1; ; attempt++) {
      try {
        client.publish(path, outgoing);
        return;
      } catch (IOException | RuntimeException e) {
        PipelineMetrics.PUBLISH_RETRIES.inc();
        LOG.warn(
            "Publishing {} messages to {} failed (attempt {}); trying again in {} ms: {}",
            outgoing.size(),
            topic,
            attempt,
            backoff,
            e.toString());
        Thread.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private static long size(PubsubMessage message) {
    long size = message.getPayload().length;
    if (message.getAttributeMap() != null) {
      for (var attribute : message.getAttributeMap().entrySet()) {
        size += attribute.getKey().length() + attribute.getValue().length();
      }
    }
    return size;
  }
}
