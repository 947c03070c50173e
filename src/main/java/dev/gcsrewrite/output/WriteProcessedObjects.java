package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.FailedObject;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.claim.UnreadableSources;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.FaultPoints;
import dev.gcsrewrite.redis.RedisSettings;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each claimed generation's rewrite to {@code <outputDirectory><objectId><outputSuffix>},
 * with {@code FileIO.writeDynamic} and one destination per claim.
 *
 * <p>Its outputs, as {@link ProcessedObjects}:
 *
 * <ul>
 *   <li>{@code outcomes()}: complete (the output is in place) or skipped (the generation is gone);
 *   <li>{@code failures()}: generations that exist but can never be read ({@value
 *       #SOURCE_UNREADABLE}).
 * </ul>
 *
 * <p>Its steps:
 *
 * <ul>
 *   <li>{@code LocateSources} looks the notified generation up, so that a generation gone is
 *       skipped and an unreadable one fails before FileIO creates an output for it, and holds a
 *       readable one back while the processed bucket refuses writes ({@link WritableOutputs});
 *   <li>{@code WindowForWrite} puts claims in the global window with a processing-time trigger: an
 *       event-time trigger may never fire while the Pub/Sub watermark stalls;
 *   <li>{@code WriteFiles} is {@code FileIO.writeDynamic} with {@link RewritingSink}: a temporary
 *       file, then a rename into place;
 *   <li>{@code DescribeOutputs} turns FileIO's final filenames, which exist only after the rename,
 *       into complete {@link Outcome}s; {@code RestoreWindowing} gives them back the default
 *       trigger so that they flatten with the skipped ones.
 * </ul>
 *
 * <p>The destination is the claim itself, so two generations of one object never share a
 * destination (FileIO would concatenate them into one file); the claim's object lock keeps them
 * from being written at the same time at all.
 *
 * <pre>{@code
 * ProcessedObjects processed =
 *     claimed.apply(
 *         WriteProcessedObjects.STEP,
 *         new WriteProcessedObjects(writer, redis, WriteProcessedObjects.DEFAULT_PANE_DELAY));
 * }</pre>
 */
public final class WriteProcessedObjects extends PTransform<PCollection<Claim>, ProcessedObjects> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = UnreadableSources.STAGE;

  /** Error type for a source that exists but can never be read. */
  public static final String SOURCE_UNREADABLE = UnreadableSources.ERROR_TYPE;

  /** How long a pane collects elements before FileIO writes them. */
  public static final Duration DEFAULT_PANE_DELAY = Duration.standardSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(WriteProcessedObjects.class);
  private static final TupleTag<Claim> READABLE = new TupleTag<>("readable") {};
  private static final TupleTag<Outcome> MISSING = new TupleTag<>("missing") {};
  private static final TupleTag<FailedObject> UNREADABLE = new TupleTag<>("unreadable") {};

  private final OutputWriter writer;
  private final RedisSettings redis;
  private final Duration paneDelay;

  /** Writes with {@code writer}, FileIO's panes {@code paneDelay} long. */
  public WriteProcessedObjects(OutputWriter writer, RedisSettings redis, Duration paneDelay) {
    this.writer = writer;
    this.redis = redis;
    this.paneDelay = paneDelay;
  }

  @Override
  public ProcessedObjects expand(PCollection<Claim> claims) {
    PCollectionTuple located =
        claims.apply(
            "LocateSources",
            ParDo.of(new LocateSourceFn(writer))
                .withOutputTags(READABLE, TupleTagList.of(MISSING).and(UNREADABLE)));
    WriteFilesResult<Claim> files =
        located
            .get(READABLE)
            .apply(
                "WindowForWrite",
                Window.<Claim>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(paneDelay)))
                    .discardingFiredPanes())
            .apply(
                "WriteFiles",
                FileIO.<Claim, Claim>writeDynamic()
                    .by(SerializableFunctions.identity())
                    // identity() erases its type: the coder cannot be inferred.
                    .withDestinationCoder(ClaimCoder.of())
                    .via(Contextful.fn(RewritingSink.perDestination(writer, redis)))
                    .to(writer.locations().outputDirectory())
                    .withNaming(outputNaming(writer.locations()))
                    .withNumShards(1));
    PCollection<Outcome> written =
        files
            .getPerDestinationOutputFilenames()
            .apply("DescribeOutputs", ParDo.of(new DescribeOutputFn()))
            // Give the outputs the windowing the inputs had, so they flatten with the others.
            .apply(
                "RestoreWindowing",
                Window.<Outcome>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    return new ProcessedObjects(
        PCollectionList.of(written)
            .and(located.get(MISSING))
            .apply("AllOutcomes", Flatten.pCollections()),
        located.get(UNREADABLE));
  }

  /**
   * Names each destination's single file {@code <objectId><outputSuffix>}, whatever the window,
   * pane or shard: FileIO's usual shard and pane parts would only get in the way of a predictable
   * output path.
   */
  static SerializableFunction<Claim, FileIO.Write.FileNaming> outputNaming(
      ObjectLocations locations) {
    return claim -> {
      String name =
          locations.outputName(claim.notification().bucket(), claim.notification().objectId());
      return (window, pane, numShards, shardIndex, compression) -> name;
    };
  }

  /** Sorts claims by what looking their generation up finds. */
  static final class LocateSourceFn extends DoFn<Claim, Claim> {
    private final OutputWriter writer;

    LocateSourceFn(OutputWriter writer) {
      this.writer = writer;
    }

    @ProcessElement
    public void process(@Element Claim claim, MultiOutputReceiver out)
        throws IOException, InterruptedException {
      GcsNotification n = claim.notification();
      DeadLetter unreadable;
      try {
        SourceProbe.Result probe = SourceProbe.probe(writer.sources(), n);
        String source = writer.sourceOf(n);
        switch (probe.outcome()) {
          case READABLE -> {
            WritableOutputs.await(writer.locations().outputDirectory());
            out.get(READABLE).output(claim);
            return;
          }
          // A lookup sets no precondition: a 412 there, too, means the generation is not there.
          case MISSING, CHANGED -> {
            PipelineMetrics.SKIPPED_SOURCE_MISSING.inc();
            LOG.info("Skipped {}: generation {} no longer exists", n.generationKey(), source);
            out.get(MISSING).output(Outcome.skipped(claim, Outcome.SOURCE_MISSING));
            return;
          }
          default -> {
            PipelineMetrics.SOURCES_UNREADABLE.inc();
            unreadable = UnreadableSources.deadLetter(n, writer.cannotRead(n, probe.reason()));
          }
        }
      } catch (RuntimeException e) {
        unreadable = Failures.unexpected(n.original(), STEP, e);
      }
      out.get(UNREADABLE).output(new FailedObject(claim, unreadable));
    }
  }

  /** Looks up the size of each final file and logs its completion. */
  static final class DescribeOutputFn extends DoFn<KV<Claim, String>, Outcome> {
    @ProcessElement
    public void process(@Element KV<Claim, String> file, OutputReceiver<Outcome> out) {
      Claim claim = file.getKey();
      String outputUri = file.getValue();
      long size = SourceProbe.sizeOf(outputUri);
      FaultPoints.reach(FaultPoints.Point.RENAMED, claim);
      PipelineMetrics.COMPLETED.inc();
      LOG.info("Wrote {}: {} ({} bytes)", claim.generationKey(), outputUri, size);
      out.output(Outcome.complete(claim, outputUri, size));
    }
  }
}
