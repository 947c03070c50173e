package dev.gcsrewrite.reconcile;

import dev.gcsrewrite.metrics.PipelineMetrics;
import java.io.IOException;
import java.util.List;
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
 * The reconcile run's source, in place of {@code ReadNotifications}: lists the scope's current
 * object generations, part by part on as many workers as there are parts ({@code Splits}, {@code
 * ListSplits}), and turns each into the notification Cloud Storage would have sent for it, spread
 * evenly over workers ({@code Spread}). Bounded: the run ends when every part is listed and
 * processed.
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
    List<ListingSplit> splits = lister.splits(scope);
    return begin
        .apply("Splits", Create.of(splits).withCoder(SerializableCoder.of(ListingSplit.class)))
        .apply("ListSplits", ParDo.of(new ListSplitFn(lister, jobName)))
        // Beam's default PubsubMessage coder would drop the message ID: keep it.
        .setCoder(PubsubMessageWithAttributesAndMessageIdCoder.of())
        .apply("Spread", Reshuffle.viaRandomKey());
  }

  /** Lists one part, emitting each generation's notification as the listing streams by. */
  static final class ListSplitFn extends DoFn<ListingSplit, PubsubMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(ListCurrentGenerations.class);
    private final ObjectLister lister;
    private final String jobName;

    ListSplitFn(ObjectLister lister, String jobName) {
      this.lister = lister;
      this.jobName = jobName;
    }

    @ProcessElement
    public void process(@Element ListingSplit split, OutputReceiver<PubsubMessage> out)
        throws IOException {
      long[] listed = {0};
      lister.list(
          split,
          object -> {
            PipelineMetrics.RECONCILE_LISTED.inc();
            listed[0]++;
            // Stamped now, as Pub/Sub stamps a message when it is published.
            out.outputWithTimestamp(ReconcileNotifications.of(object, jobName), Instant.now());
          });
      LOG.info("Listed {}: {} current generations", split, listed[0]);
    }
  }
}
