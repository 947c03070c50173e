package dev.gcsrewrite.reconcile;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists a scope's current object generations as the notifications Cloud Storage would have sent:
 * the reconcile run's bounded source, in place of {@code ReadNotifications}.
 *
 * <p>Its output is one notification per generation ({@link ListedObject#toNotification}), spread
 * over workers. Its steps: {@code Splits} (the lister's parts), {@code ListSplits} (each part
 * listed by one worker, streaming) and {@code Spread} (a reshuffle, so that one part's work is not
 * left to one worker).
 *
 * <pre>{@code
 * PCollection<PubsubMessage> notifications =
 *     pipeline.apply("ListCurrentGenerations",
 *         new ListCurrentGenerations(ObjectLister.forBucketRoot("gs://"), scope, jobName));
 * }</pre>
 */
public final class ListCurrentGenerations extends PTransform<PBegin, PCollection<PubsubMessage>> {
  private final ObjectLister lister;
  private final ListingScope scope;
  private final String jobName;

  public ListCurrentGenerations(ObjectLister lister, ListingScope scope, String jobName) {
    this.lister = lister;
    this.scope = scope;
    this.jobName = jobName;
  }

  @Override
  public PCollection<PubsubMessage> expand(PBegin begin) {
    return begin
        .apply(
            "Splits",
            Create.of(lister.parts(scope)).withCoder(SerializableCoder.of(ListingScope.class)))
        .apply("ListSplits", ParDo.of(new ListPartFn(lister, jobName)))
        // Beam's default PubsubMessage coder would drop the message ID: keep it.
        .setCoder(PubsubMessageWithAttributesAndMessageIdCoder.of())
        .apply("Spread", Reshuffle.viaRandomKey());
  }

  /** Lists one part, emitting each generation's notification as the listing streams by. */
  private static final class ListPartFn extends DoFn<ListingScope, PubsubMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(ListCurrentGenerations.class);
    private final ObjectLister lister;
    private final String jobName;

    ListPartFn(ObjectLister lister, String jobName) {
      this.lister = lister;
      this.jobName = jobName;
    }

    @ProcessElement
    public void process(@Element ListingScope part, OutputReceiver<PubsubMessage> out)
        throws IOException {
      long[] listed = {0};
      lister.list(
          part,
          object -> {
            PipelineMetrics.RECONCILE_LISTED.inc();
            listed[0]++;
            // Stamped now, as Pub/Sub stamps a message when it is published.
            out.outputWithTimestamp(object.toNotification(jobName), Instant.now());
          });
      LOG.info("Listed {}: {} current generations", part, listed[0]);
    }
  }
}
