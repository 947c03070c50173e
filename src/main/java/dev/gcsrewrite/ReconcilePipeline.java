package dev.gcsrewrite;

import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.reconcile.ListCurrentGenerations;
import dev.gcsrewrite.reconcile.ListingScope;
import dev.gcsrewrite.reconcile.ObjectLister;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.SdkHarnessOptions;
import org.apache.beam.sdk.values.PCollection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile run: a bounded pipeline that brings every current generation of a work bucket (a
 * prefix, a time range) to its settled state through the streaming job's own steps.
 *
 * <pre>
 * ListCurrentGenerations (Splits -> ListSplits -> Spread), in place of ReadNotifications
 *   -> every step of {@link GcsRewritePipeline#buildPipeline}, unchanged
 * </pre>
 *
 * <p>Each listed generation becomes the notification Cloud Storage would have sent for it, so the
 * same claims decide it: a generation already settled is a duplicate (nothing written), one a
 * running streaming job holds is waited for, the rest are claimed, written, settled and announced
 * exactly as notified ones are. The run needs a job name of its own (the claims' owner).
 */
public final class ReconcilePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcilePipeline.class);

  private ReconcilePipeline() {}

  /** Builds the bounded pipeline for {@code scope}, listed with {@code lister}. */
  public static Pipeline build(
      GcsRewriteOptions options,
      JobSettings settings,
      ListingScope scope,
      ObjectLister lister,
      TopicWriter topics) {
    options.setStreaming(false);
    GcsRewritePipeline.quietPerFileLogs(options.as(SdkHarnessOptions.class));
    Pipeline pipeline = Pipeline.create(options);
    PCollection<PubsubMessage> notifications =
        pipeline.apply(
            "ListCurrentGenerations",
            new ListCurrentGenerations(lister, scope, settings.jobName()));
    GcsRewritePipeline.buildPipeline(notifications, settings, topics);
    return pipeline;
  }

  /** Builds and runs it, publishing on Pub/Sub; on Dataflow, returns once the job is submitted. */
  public static PipelineResult run(
      GcsRewriteOptions options, JobSettings settings, ListingScope scope, ObjectLister lister) {
    Pipeline pipeline = build(options, settings, scope, lister, TopicWriter.pubsub());
    LOG.info(
        "Reconciling {} as {}: -> {} with rules {}",
        scope,
        settings.jobName(),
        settings.locations().outputDirectory(),
        settings.rules());
    return pipeline.run();
  }
}
