package dev.gcsrewrite.output;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.FailedObject;
import dev.gcsrewrite.claim.FailedObjectCoder;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.OutcomeCoder;
import dev.gcsrewrite.claim.ProcessedObjects;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import org.apache.beam.sdk.io.ShardingFunction;
import org.apache.beam.sdk.io.WriteFiles;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.ShardedKey;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code WriteProcessedObjects}: for each claimed generation, streams exactly that
 * generation's content through the token rewriter into {@code
 * <outputDirectory><objectId><outputSuffix>} with FileIO's engine ({@code WriteFiles}, what {@code
 * FileIO.writeDynamic} applies), one destination per claim.
 *
 * <p>Inside: {@code LocateSources} looks the notified generation up, so that a generation gone
 * (overwritten or deleted) is skipped and an unreadable one fails before FileIO creates an output
 * for it; {@code WindowForWrite} puts claims in the global window with a processing-time trigger,
 * because an event-time trigger may never fire while the Pub/Sub watermark stalls and the global
 * window never drops late data; {@code WriteFiles} is FileIO's engine with {@link ProcessedFiles}
 * (temporary files, then a rename into place), grouped by the sharding function of {@code
 * --keyShards} when it is not 0; {@code DescribeOutputs} turns FileIO's final filenames, which
 * exist only after the rename, into complete {@link Outcome}s; {@code RestoreWindowing} gives them
 * back the default trigger so they combine with the skipped ones.
 *
 * <p>The destination is the claim itself, so two generations of one object never share a
 * destination (FileIO would concatenate them into one file); the claim's object lock keeps them
 * from being written at the same time at all.
 */
public final class WriteProcessedObjects extends PTransform<PCollection<Claim>, ProcessedObjects> {
  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "WriteProcessedObjects";

  /** Error type for a source that exists but can never be read. */
  public static final String SOURCE_UNREADABLE = "SourceUnreadable";

  /** How long a pane collects elements before FileIO writes them. */
  public static final Duration DEFAULT_PANE_DELAY = Duration.standardSeconds(1);

  private static final TupleTag<Claim> READABLE = new TupleTag<>("readable") {};
  private static final TupleTag<Outcome> MISSING = new TupleTag<>("missing") {};
  private static final TupleTag<FailedObject> UNREADABLE = new TupleTag<>("unreadable") {};

  private final ObjectLocations locations;
  private final GenerationSource sources;
  private final TokenRewriter rewriter;
  private final RedisSettings redis;
  private final ClaimSettings policy;
  private final Duration paneDelay;
  private final int keyShards;

  /**
   * Writes each claim's output, FileIO's writes grouped under {@code keyShards} keys by object name
   * (0: a key per output, as {@code FileIO.writeDynamic} groups them).
   */
  public WriteProcessedObjects(
      ObjectLocations locations,
      TokenRewriter rewriter,
      RedisSettings redis,
      ClaimSettings policy,
      Duration paneDelay,
      int keyShards) {
    this(locations, GenerationSource.of(locations), rewriter, redis, policy, paneDelay, keyShards);
  }

  WriteProcessedObjects(
      ObjectLocations locations,
      GenerationSource sources,
      TokenRewriter rewriter,
      RedisSettings redis,
      ClaimSettings policy,
      Duration paneDelay,
      int keyShards) {
    if (keyShards < 0) {
      throw new IllegalArgumentException("keyShards must be 0 or more: " + keyShards);
    }
    this.locations = locations;
    this.sources = sources;
    this.rewriter = rewriter;
    this.redis = redis;
    this.policy = policy;
    this.paneDelay = paneDelay;
    this.keyShards = keyShards;
  }

  @Override
  public ProcessedObjects expand(PCollection<Claim> claims) {
    PCollectionTuple located =
        claims.apply(
            "LocateSources",
            ParDo.of(new LocateSourceFn(locations, sources))
                .withOutputTags(READABLE, TupleTagList.of(MISSING).and(UNREADABLE)));

    WriteFilesResult<Claim> files =
        located
            .get(READABLE)
            .setCoder(ClaimCoder.of())
            .apply(
                "WindowForWrite",
                Window.<Claim>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(paneDelay)))
                    .discardingFiredPanes())
            .apply(
                "WriteFiles",
                new WriteEachClaim(
                    new ProcessedFiles(
                        locations, new RewritingSink(rewriter, locations, sources, redis, policy)),
                    keyShards));

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

  /** Sorts claims by what looking their generation up finds. */
  static final class LocateSourceFn extends DoFn<Claim, Claim> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteProcessedObjects.class);
    private final ObjectLocations locations;
    private final GenerationSource sources;

    LocateSourceFn(ObjectLocations locations, GenerationSource sources) {
      this.locations = locations;
      this.sources = sources;
    }

    @ProcessElement
    public void process(@Element Claim claim, MultiOutputReceiver out)
        throws IOException, InterruptedException {
      try {
        locate(claim, out);
      } catch (RuntimeException e) {
        out.get(UNREADABLE)
            .output(
                new FailedObject(
                    claim, Failures.unexpected(claim.notification().original(), STEP, e)));
      }
    }

    private void locate(Claim claim, MultiOutputReceiver out)
        throws IOException, InterruptedException {
      GcsNotification n = claim.notification();
      SourceProbe.Result probe = SourceProbe.probe(sources, n);
      String source = locations.sourceSpec(n.bucket(), n.objectId()) + "#" + n.generation();
      switch (probe.outcome()) {
        case READABLE -> out.get(READABLE).output(claim);
        case MISSING -> {
          PipelineMetrics.SKIPPED_SOURCE_MISSING.inc();
          LOG.info("Skipped {}: generation {} no longer exists", n.generationKey(), source);
          out.get(MISSING).output(Outcome.skipped(claim, Outcome.SOURCE_MISSING));
        }
        case UNREADABLE ->
            out.get(UNREADABLE)
                .output(
                    new FailedObject(
                        claim,
                        new DeadLetter(
                            n.original(),
                            STEP,
                            SOURCE_UNREADABLE,
                            "cannot read " + source + ": " + probe.reason(),
                            Instant.now())));
      }
    }
  }

  /** Looks up the size of each final file and logs its completion. */
  static final class DescribeOutputFn extends DoFn<KV<Claim, String>, Outcome> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteProcessedObjects.class);

    @ProcessElement
    public void process(@Element KV<Claim, String> file, OutputReceiver<Outcome> out) {
      Claim claim = file.getKey();
      String outputUri = file.getValue();
      long size = SourceProbe.sizeOf(outputUri);
      PipelineMetrics.COMPLETED.inc();
      LOG.info("Wrote {}: {} ({} bytes)", claim.generationKey(), outputUri, size);
      out.output(Outcome.complete(claim, outputUri, size));
    }
  }

  /**
   * FileIO's engine writing a file per claim, applied as {@code FileIO.writeDynamic} applies it (so
   * its steps keep the names a running job knows), with the claims grouped under {@code keyShards}
   * keys by object name when that is not 0.
   */
  private static final class WriteEachClaim
      extends PTransform<PCollection<Claim>, WriteFilesResult<Claim>> {
    private final ProcessedFiles files;
    private final int keyShards;

    WriteEachClaim(ProcessedFiles files, int keyShards) {
      this.files = files;
      this.keyShards = keyShards;
    }

    @Override
    public WriteFilesResult<Claim> expand(PCollection<Claim> claims) {
      WriteFiles<Claim, Claim, Claim> write =
          WriteFiles.to(files).withWindowedWrites().withNumShards(1);
      if (keyShards > 0) {
        write = write.withShardingFunction(new ByObjectShard(keyShards));
      }
      return claims.apply(write);
    }
  }

  /**
   * Groups the claims of a pane by the shard of their object's name: the default gives each
   * destination (each claim) its own key, which on the DirectRunner means a bundle per claim.
   *
   * <p>FileIO keeps every output of a key open until the key's last claim is written, so a key
   * takes at most {@value #CLAIMS_PER_KEY} claims in a row before the next of its shard's {@value
   * #KEYS_PER_SHARD} keys takes over: a pane of a thousand claims (or a reconcile's one pane of
   * everything it lists) never holds a thousand files open at once.
   */
  static final class ByObjectShard implements ShardingFunction<Claim, Claim> {
    static final int CLAIMS_PER_KEY = 100;
    static final int KEYS_PER_SHARD = 64;
    private final int shards;
    // One instance per DoFn instance, which one thread uses at a time.
    private int assigned;

    ByObjectShard(int shards) {
      this.shards = shards;
    }

    @Override
    public ShardedKey<Integer> assignShardKey(Claim destination, Claim element, int shardCount) {
      int key = assigned / CLAIMS_PER_KEY;
      assigned = (assigned + 1) % (CLAIMS_PER_KEY * KEYS_PER_SHARD);
      return ShardedKey.of(destination.notification().objectShard(shards), key);
    }
  }
}
