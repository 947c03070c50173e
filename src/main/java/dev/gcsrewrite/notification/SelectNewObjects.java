package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps only the notifications that announce new content to rewrite.
 *
 * <p>Outputs, as a {@link WithFailures.Result}:
 *
 * <ul>
 *   <li>{@code output()}: {@code OBJECT_FINALIZE} notifications of work-bucket objects to rewrite;
 *   <li>{@code failures()}: a {@link DeadLetter} for a bucket outside {@code --workBuckets}
 *       ({@value #BUCKET_NOT_ALLOWED}: another notification configuration on the topic, or a forged
 *       message, would read a bucket nobody meant and overwrite an output), and for an object whose
 *       output name could not be written ({@value #OUTPUT_NAME_TOO_LONG} once the processed prefix
 *       and suffix are added; {@value #OUTPUT_NAME_NOT_LOCAL}, local runs only, for a name Beam's
 *       local file system cannot rename into place).
 * </ul>
 *
 * <p>Skipped, each counted and logged:
 *
 * <ul>
 *   <li>other events (deletes, archives, metadata updates carry no new content);
 *   <li>folder placeholders (names ending in "/");
 *   <li>objects this pipeline wrote (outputs and FileIO's temporary files below the output
 *       directory), which would loop when the work and processed buckets are the same. A user's
 *       object elsewhere is processed whatever its name ends with.
 * </ul>
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<GcsNotification>, DeadLetter> selected =
 *     parsed.output().apply(SelectNewObjects.STEP, new SelectNewObjects(locations));
 * deadLetters.addErrorCollection(selected.failures());
 * }</pre>
 */
public final class SelectNewObjects
    extends PTransform<
        PCollection<GcsNotification>,
        WithFailures.Result<PCollection<GcsNotification>, DeadLetter>> {

  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "SelectNewObjects";

  public static final String BUCKET_NOT_ALLOWED = "BucketNotAllowed";
  public static final String OUTPUT_NAME_TOO_LONG = "OutputNameTooLong";
  public static final String OUTPUT_NAME_NOT_LOCAL = "OutputNameNotLocal";

  private static final TupleTag<GcsNotification> SELECTED = new TupleTag<>("selected") {};

  private final ObjectLocations locations;

  public SelectNewObjects(ObjectLocations locations) {
    this.locations = locations;
  }

  @Override
  public WithFailures.Result<PCollection<GcsNotification>, DeadLetter> expand(
      PCollection<GcsNotification> notifications) {
    PCollectionTuple results =
        notifications.apply(
            "Select",
            ParDo.of(new SelectFn(locations))
                .withOutputTags(SELECTED, TupleTagList.of(DeadLetter.TAG)));
    return DeadLetter.result(results, SELECTED);
  }

  /** Applies the selection rules to one notification. */
  static final class SelectFn extends DoFn<GcsNotification, GcsNotification> {
    private static final Logger LOG = LoggerFactory.getLogger(SelectNewObjects.class);
    private final ObjectLocations locations;

    SelectFn(ObjectLocations locations) {
      this.locations = locations;
    }

    @ProcessElement
    public void process(@Element GcsNotification n, MultiOutputReceiver out) {
      try {
        if (!locations.isWorkBucket(n.bucket())) {
          String problem = " is not one of the work buckets " + locations.workBuckets();
          reject(n, BUCKET_NOT_ALLOWED, "bucket '" + n.bucket() + "'" + problem, out);
        } else if (!n.isFinalize()) {
          skip(n, PipelineMetrics.SKIPPED_NOT_FINALIZE, n.eventType() + " is not a new object");
        } else if (n.objectId().endsWith("/")) {
          skip(n, PipelineMetrics.SKIPPED_FOLDER_PLACEHOLDER, "folder placeholder");
        } else if (locations.isOwnOutput(n.bucket(), n.objectId())) {
          skip(n, PipelineMetrics.SKIPPED_OWN_OUTPUT, "written by this pipeline");
        } else if (!reject(
                n, OUTPUT_NAME_TOO_LONG, locations.outputNameProblem(n.bucket(), n.objectId()), out)
            && !reject(
                n,
                OUTPUT_NAME_NOT_LOCAL,
                locations.localRenameProblem(n.bucket(), n.objectId()),
                out)) {
          out.get(SELECTED).output(n);
        }
      } catch (RuntimeException e) {
        out.get(DeadLetter.TAG).output(Failures.unexpected(n.original(), STEP, e));
      }
    }

    private static void skip(GcsNotification n, Counter counter, String reason) {
      counter.inc();
      LOG.info("Skipped {}: {}", n.generationKey(), reason);
    }

    /** Dead-letters {@code n} if there is a {@code problem}; returns whether there was. */
    private static boolean reject(
        GcsNotification n, String type, @Nullable String problem, MultiOutputReceiver out) {
      if (problem != null) {
        out.get(DeadLetter.TAG)
            .output(new DeadLetter(n.original(), STEP, type, problem, Instant.now()));
      }
      return problem != null;
    }
  }
}
