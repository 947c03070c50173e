package dev.gcsrewrite.pubsub;

import com.google.api.client.http.HttpResponseException;
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
 * once Pub/Sub has accepted it: what comes out has been published.
 *
 * <ul>
 *   <li>Requests keep to Pub/Sub's limits ({@link PubsubLimits#requests}).
 *   <li>A failed publish is retried, 0.5 s doubling to 30 s, until it succeeds, as the claims'
 *       Redis is: failing the bundle would end the job on a runner that does not retry bundles. A
 *       refusal that only an operator can end (the topic deleted: 404; the role lost: 403; a
 *       request refused as invalid: 400) is counted in {@code publishRefused} and logged with what
 *       to do, when it starts and once a minute while it lasts.
 *   <li>A message published twice after a retried bundle is a repeat that consumers drop by its
 *       {@code eventId}.
 * </ul>
 */
final class ConfirmedPublishFn extends DoFn<PubsubMessage, PubsubMessage> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublishFn.class);
  private static final long FIRST_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final long LOG_INTERVAL_MILLIS = 60_000;

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
      PubsubOptions options = context.getPipelineOptions().as(PubsubOptions.class);
      client = PubsubJsonClient.FACTORY.newClient(null, null, options);
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
    for (List<Pending> request : PubsubLimits.requests(pending, Pending::message)) {
      publish(request, context);
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

  /** What an operator must do about {@code failure}, if only an operator can end it; else null. */
  static @Nullable String refusal(Exception failure) {
    if (!(failure instanceof HttpResponseException http)) {
      return null;
    }
    return switch (http.getStatusCode()) {
      case 404 -> "the topic does not exist: create it, or launch with the right topic";
      case 403 -> "permission denied: grant the job's service account roles/pubsub.publisher on it";
      case 400 -> "Pub/Sub refused the request as invalid";
      default -> null;
    };
  }

  /** Publishes {@code request}, trying until Pub/Sub accepts it, then outputs its messages. */
  private void publish(List<Pending> request, FinishBundleContext context)
      throws InterruptedException {
    List<PubsubClient.OutgoingMessage> outgoing =
        request.stream()
            .map(
                p ->
                    PubsubClient.OutgoingMessage.of(
                        p.message(), p.timestamp().getMillis(), null, null))
            .toList();
    long backoff = FIRST_BACKOFF_MILLIS;
    long lastLog = 0;
    for (int attempt = 1; ; attempt++) {
      try {
        client.publish(PubsubClient.topicPathFromPath(topic), outgoing);
        if (attempt > 1) {
          LOG.info("Published to {} again after {} failed attempts", topic, attempt - 1);
        }
        break;
      } catch (IOException | RuntimeException e) {
        PipelineMetrics.PUBLISH_RETRIES.inc();
        String refusal = refusal(e);
        if (refusal != null) {
          PipelineMetrics.PUBLISH_REFUSED.inc();
        }
        long now = System.currentTimeMillis();
        if (attempt == 1 || now - lastLog >= LOG_INTERVAL_MILLIS) {
          lastLog = now;
          LOG.warn(
              "Publishing {} messages to {} failed (attempt {}); trying again in {} ms: {}",
              outgoing.size(),
              topic,
              attempt,
              backoff,
              refusal == null
                  ? e.toString()
                  : refusal + " (" + ((HttpResponseException) e).getStatusCode() + ")");
        }
        Thread.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
    request.forEach(item -> context.output(item.message(), item.timestamp(), item.window()));
  }
}
