package dev.gcsrewrite;

import dev.gcsrewrite.audit.AuditContext;
import dev.gcsrewrite.audit.PublishAuditEvents;
import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimInRedis;
import dev.gcsrewrite.claim.ClaimResults;
import dev.gcsrewrite.claim.CompleteClaims;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.claim.SettleResults;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterSink;
import dev.gcsrewrite.dedupe.DropSeenGenerations;
import dev.gcsrewrite.location.SupersededGenerations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.ParseNotifications;
import dev.gcsrewrite.notification.SelectNewObjects;
import dev.gcsrewrite.output.OutputWriter;
import dev.gcsrewrite.output.RepairOutputs;
import dev.gcsrewrite.output.WriteProcessedObjects;
import dev.gcsrewrite.pubsub.TopicWriter;
import dev.gcsrewrite.rewrite.TokenRewriter;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubIO;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.SdkHarnessOptions;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gcs-rewrite: for every new Cloud Storage object generation announced on Pub/Sub, exactly once in
 * effect, rewrite its tokens into {@code <objectId>.processed} in the processed bucket and announce
 * it on the audit topics, sending anything it cannot handle to a dead-letter topic.
 *
 * <p>The graph, one named step each (names are stable: Dataflow updates map steps by name):
 *
 * <pre>
 * ReadNotifications -> ParseNotifications -> SelectNewObjects -> DropSeenGenerations
 *   -> ClaimInRedis -> PublishProcessing
 *                   -> WriteProcessedObjects -> CompleteClaims -> PublishComplete
 *                                                             -> RepairOutputs -> PublishComplete
 *                   -> (superseded, or settled but never announced) -> PublishComplete
 * every failure output -> PublishDeadLetters (a DeadLetterSink: none can be left out)
 * </pre>
 */
public final class GcsRewritePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(GcsRewritePipeline.class);

  private GcsRewritePipeline() {}

  /** Validates {@code options}, builds the streaming pipeline that reads Pub/Sub, and runs it. */
  public static PipelineResult run(GcsRewriteOptions options) {
    return run(options, JobSettings.from(options));
  }

  /** Runs with {@code settings} already derived from {@code options} (they are checked once). */
  public static PipelineResult run(GcsRewriteOptions options, JobSettings settings) {
    options.setStreaming(true);
    quietPerFileLogs(options.as(SdkHarnessOptions.class));
    Pipeline pipeline = Pipeline.create(options);
    PCollection<PubsubMessage> notifications =
        pipeline.apply(
            "ReadNotifications",
            PubsubIO.readMessagesWithAttributesAndMessageId()
                .fromSubscription(settings.inputSubscription()));
    buildPipeline(notifications, settings, TopicWriter.pubsub());
    if (settings.locations().workBuckets().isEmpty()) {
      LOG.warn("--workBuckets is unset: notifications of any bucket will be processed");
    }
    LOG.info(
        "Starting {}: {} -> {} with rules {}",
        settings.jobName(),
        settings.inputSubscription(),
        settings.locations().outputDirectory(),
        settings.rules());
    return pipeline.run();
  }

  /**
   * Applies every step after {@code ReadNotifications} to {@code notifications}, publishing with
   * {@code topics}. Tests feed it from a {@code TestStream} and observe the returned outputs.
   */
  public static Outputs buildPipeline(
      PCollection<PubsubMessage> notifications, JobSettings settings, TopicWriter topics) {
    DeadLetterSink deadLetters =
        DeadLetterSink.publishingTo(
            notifications.getPipeline(), settings.deadLetterTopic(), topics);
    WithFailures.Result<PCollection<GcsNotification>, DeadLetter> parsed =
        notifications.apply(ParseNotifications.STEP, new ParseNotifications());
    deadLetters.addErrorCollection(parsed.failures());
    WithFailures.Result<PCollection<GcsNotification>, DeadLetter> selected =
        parsed.output().apply(SelectNewObjects.STEP, new SelectNewObjects(settings.locations()));
    deadLetters.addErrorCollection(selected.failures());
    PCollection<GcsNotification> unseen =
        selected
            .output()
            .apply("DropSeenGenerations", new DropSeenGenerations(settings.dedupeTtl()));

    ClaimResults claims =
        unseen.apply(ClaimInRedis.STEP, new ClaimInRedis(settings.redis(), settings.claims()));
    deadLetters.addErrorCollection(claims.failures());
    PCollection<Claim> claimed = claims.claimed();

    AuditContext audit = new AuditContext(settings.jobName(), settings.locations());
    WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> processing =
        PCollectionList.of(claimed)
            .apply(
                PublishAuditEvents.PROCESSING,
                PublishAuditEvents.processing(audit)
                    .to(settings.processingTopic())
                    .withWriter(topics));
    deadLetters.addErrorCollection(processing.failures());
    OutputWriter writer =
        OutputWriter.of(
            settings.locations(), new TokenRewriter(settings.rules()), settings.claims());
    ProcessedObjects processed =
        claimed.apply(
            WriteProcessedObjects.STEP,
            new WriteProcessedObjects(
                writer, settings.redis(), WriteProcessedObjects.DEFAULT_PANE_DELAY));
    SettleResults settled =
        processed.apply(
            CompleteClaims.STEP,
            new CompleteClaims(
                settings.redis(),
                settings.claims(),
                new SupersededGenerations(settings.locations())));
    deadLetters.addErrorCollection(settled.failures());
    PCollection<Outcome> repaired =
        settled.apply(RepairOutputs.STEP, new RepairOutputs(writer, settings.redis()));
    WithFailures.Result<PCollection<PubsubMessage>, DeadLetter> complete =
        PCollectionList.of(settled.outcomes())
            .and(claims.toAnnounce())
            .and(repaired)
            .apply(
                PublishAuditEvents.COMPLETE,
                PublishAuditEvents.complete(audit, settings.redis())
                    .to(settings.completeTopic())
                    .withWriter(topics));
    deadLetters.addErrorCollection(complete.failures());
    deadLetters.close();
    return new Outputs(
        processing.output(),
        settled.outcomes(),
        complete.output(),
        deadLetters.getOutput(),
        repaired);
  }

  /**
   * What the pipeline sends out, for tests to observe.
   *
   * @param processing messages published on the processing topic
   * @param outcomes how each generation ended (output in place, or skipped), settled in Redis
   * @param complete messages published on the complete topic
   * @param deadLetters messages published on the dead-letter topic
   * @param repaired generations whose outputs were written again after a stale write (announced)
   */
  public record Outputs(
      PCollection<PubsubMessage> processing,
      PCollection<Outcome> outcomes,
      PCollection<PubsubMessage> complete,
      PCollection<PubsubMessage> deadLetters,
      PCollection<Outcome> repaired) {}

  /**
   * FileIO logs four INFO lines for every file it writes (with the whole destination); the pipeline
   * logs the same state changes in one line each. On workers, unless the user chose levels, those
   * loggers are set to WARNING so that logs stay useful and cheap.
   */
  static void quietPerFileLogs(SdkHarnessOptions options) {
    if (options.getSdkHarnessLogLevelOverrides() == null) {
      options.setSdkHarnessLogLevelOverrides(
          new SdkHarnessOptions.SdkHarnessLogLevelOverrides()
              .addOverrideForName(
                  "org.apache.beam.sdk.io.WriteFiles", SdkHarnessOptions.LogLevel.WARN)
              .addOverrideForName(
                  "org.apache.beam.sdk.io.FileBasedSink", SdkHarnessOptions.LogLevel.WARN));
    }
  }
}
