package dev.gcsrewrite.output;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.SerializableFunctions;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code WriteProcessedObjects}: for each claimed notification, streams the source object
 * through the token rewriter into {@code <outputDirectory><objectId><outputSuffix>} with {@code
 * FileIO.writeDynamic}, one destination per object generation.
 *
 * <p>Inside: {@code LocateSources} opens each source once, so that a deleted source is skipped and
 * an unreadable one fails before FileIO creates an output for it; {@code WindowForWrite} puts
 * elements in the global window with a processing-time trigger, because an event-time trigger may
 * never fire while the Pub/Sub watermark stalls and the global window never drops late data; {@code
 * WriteFiles} is FileIO with {@link RewritingSink}; {@code DescribeOutputs} turns FileIO's final
 * filenames, which exist only after the rename, into complete {@link Outcome}s; {@code
 * RestoreWindowing} gives them back the default trigger so they combine with the skipped ones.
 *
 * <p>The destination is the notification itself, so two generations of one object never share a
 * destination (FileIO would concatenate them into one file).
 */
public final class WriteProcessedObjects
    extends PTransform<PCollection<GcsNotification>, ProcessedObjects> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "WriteProcessedObjects";

  /** Error type for a source that exists but can never be read. */
  public static final String SOURCE_UNREADABLE = "SourceUnreadable";

  /** How long a pane collects elements before FileIO writes them. */
  public static final Duration DEFAULT_PANE_DELAY = Duration.standardSeconds(1);

  private static final TupleTag<GcsNotification> READABLE = new TupleTag<>("readable") {};
  private static final TupleTag<Outcome> MISSING = new TupleTag<>("missing") {};
  private static final TupleTag<FailedObject> UNREADABLE = new TupleTag<>("unreadable") {};

  private final ObjectLocations locations;
  private final TokenRewriter rewriter;
  private final Duration paneDelay;

  public WriteProcessedObjects(
      ObjectLocations locations, TokenRewriter rewriter, Duration paneDelay) {
    this.locations = locations;
    this.rewriter = rewriter;
    this.paneDelay = paneDelay;
  }

  @Override
  public ProcessedObjects expand(PCollection<GcsNotification> notifications) {
    PCollectionTuple located =
        notifications.apply(
            "LocateSources",
            ParDo.of(new LocateSourceFn(locations))
                .withOutputTags(READABLE, TupleTagList.of(MISSING).and(UNREADABLE)));

    WriteFilesResult<GcsNotification> files =
        located
            .get(READABLE)
            .setCoder(GcsNotificationCoder.of())
            .apply(
                "WindowForWrite",
                Window.<GcsNotification>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(paneDelay)))
                    .discardingFiredPanes())
            .apply(
                "WriteFiles",
                FileIO.<GcsNotification, GcsNotification>writeDynamic()
                    .by(SerializableFunctions.identity())
                    .withDestinationCoder(GcsNotificationCoder.of())
                    .via(Contextful.fn(new SinkFactory(rewriter, locations)))
                    .to(locations.outputDirectory())
                    .withNaming(new NamingFactory(locations))
                    .withNumShards(1));

    PCollection<Outcome> written =
        files
            .getPerDestinationOutputFilenames()
            .apply("DescribeOutputs", ParDo.of(new DescribeOutputFn()))
            .setCoder(OutcomeCoder.of())
            // Give the outputs the windowing the inputs had, so they flatten with the others.
            .apply(
                "RestoreWindowing",
                Window.<Outcome>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    PCollection<Outcome> outcomes =
        PCollectionList.of(written)
            .and(located.get(MISSING).setCoder(OutcomeCoder.of()))
            .apply("AllOutcomes", Flatten.pCollections())
            .setCoder(OutcomeCoder.of());
    return new ProcessedObjects(outcomes, located.get(UNREADABLE).setCoder(FailedObjectCoder.of()));
  }

  /** Sorts notifications by what opening their source finds. */
  static final class LocateSourceFn extends DoFn<GcsNotification, GcsNotification> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteProcessedObjects.class);
    private final ObjectLocations locations;

    LocateSourceFn(ObjectLocations locations) {
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element GcsNotification notification, MultiOutputReceiver out)
        throws IOException, InterruptedException {
      try {
        locate(notification, out);
      } catch (RuntimeException e) {
        out.get(UNREADABLE)
            .output(
                new FailedObject(
                    notification, Failures.unexpected(notification.original(), STEP, e)));
      }
    }

    private void locate(GcsNotification notification, MultiOutputReceiver out)
        throws IOException, InterruptedException {
      SourceProbe.Result probe =
          SourceProbe.probe(locations.source(notification.bucket(), notification.objectId()));
      switch (probe.outcome()) {
        case READABLE -> out.get(READABLE).output(notification);
        case MISSING -> {
          PipelineMetrics.SKIPPED_SOURCE_MISSING.inc();
          LOG.info(
              "Skipped {}: source {} no longer exists",
              notification.generationKey(),
              locations.sourceSpec(notification.bucket(), notification.objectId()));
          out.get(MISSING).output(Outcome.skipped(notification, Outcome.SOURCE_MISSING));
        }
        case UNREADABLE ->
            out.get(UNREADABLE)
                .output(
                    new FailedObject(
                        notification,
                        new DeadLetter(
                            notification.original(),
                            STEP,
                            SOURCE_UNREADABLE,
                            "cannot read "
                                + locations.sourceSpec(
                                    notification.bucket(), notification.objectId())
                                + ": "
                                + probe.reason(),
                            Instant.now())));
      }
    }
  }

  /** Looks up the size of each final file and logs its completion. */
  static final class DescribeOutputFn extends DoFn<KV<GcsNotification, String>, Outcome> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteProcessedObjects.class);

    @ProcessElement
    public void process(@Element KV<GcsNotification, String> file, OutputReceiver<Outcome> out) {
      GcsNotification notification = file.getKey();
      String outputUri = file.getValue();
      long size = SourceProbe.sizeOf(outputUri);
      PipelineMetrics.COMPLETED.inc();
      LOG.info("Wrote {}: {} ({} bytes)", notification.generationKey(), outputUri, size);
      out.output(Outcome.complete(notification, outputUri, size));
    }
  }

  /** Creates the sink FileIO opens for each destination. */
  private record SinkFactory(TokenRewriter rewriter, ObjectLocations locations)
      implements SerializableFunction<GcsNotification, FileIO.Sink<GcsNotification>> {
    @Override
    public FileIO.Sink<GcsNotification> apply(GcsNotification destination) {
      return new RewritingSink(rewriter, locations);
    }
  }

  /** Names each destination's single file after its object. */
  private record NamingFactory(ObjectLocations locations)
      implements SerializableFunction<GcsNotification, FileIO.Write.FileNaming> {
    @Override
    public FileIO.Write.FileNaming apply(GcsNotification destination) {
      return new OutputNaming(locations.outputName(destination.bucket(), destination.objectId()));
    }
  }
}
