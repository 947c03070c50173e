package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.Failures;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.metrics.PipelineMetrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step {@code SelectNewObjects}: keeps only notifications that announce new content to rewrite.
 *
 * <p>Dead-lettered: notifications of a bucket that is not a work bucket (a second notification
 * configuration on the topic, or a forged message: processing it would read a bucket nobody meant
 * and overwrite an output), and objects whose output could not be written under its name (too long
 * for Cloud Storage or a local folder, once the processed prefix and the suffix are added; or, in
 * local runs only, not a glob Beam's local file system can parse).
 *
 * <p>Skipped, each counted: events other than {@code OBJECT_FINALIZE} (deletes, archives and
 * metadata updates carry no new content), folder placeholders (names ending in "/"), and objects
 * this pipeline wrote itself (outputs and FileIO's temporary files below the output directory),
 * which would otherwise loop when the work and processed buckets are the same. A user's object
 * elsewhere is processed whatever its name ends with.
 */
public final class SelectNewObjects
    extends PTransform<
        PCollection<GcsNotification>,
        WithFailures.Result<PCollection<GcsNotification>, DeadLetter>> {

  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "SelectNewObjects";

  /** Error type for a notification of a bucket outside {@code --workBuckets}. */
  public static final String BUCKET_NOT_ALLOWED = "BucketNotAllowed";

  /** Error type for objects whose output name would be too long. */
  public static final String OUTPUT_NAME_TOO_LONG = "OutputNameTooLong";

  /** Error type for names a local processed folder cannot take (see ObjectLocations). */
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
    public void process(@Element GcsNotification notification, MultiOutputReceiver out) {
      try {
        select(notification, out);
      } catch (RuntimeException e) {
        out.get(DeadLetter.TAG).output(Failures.unexpected(notification.original(), STEP, e));
      }
    }

    private void select(GcsNotification notification, MultiOutputReceiver out) {
      String bucket = notification.bucket();
      String name = notification.objectId();
      if (!locations.isWorkBucket(bucket)) {
        out.get(DeadLetter.TAG)
            .output(
                deadLetter(
                    notification,
                    BUCKET_NOT_ALLOWED,
                    "bucket '"
                        + bucket
                        + "' is not one of the work buckets "
                        + locations.workBuckets()));
      } else if (!notification.isFinalize()) {
        PipelineMetrics.SKIPPED_NOT_FINALIZE.inc();
        LOG.info(
            "Skipped {} of {}: not a new object",
            notification.eventType(),
            notification.generationKey());
      } else if (name.endsWith("/")) {
        PipelineMetrics.SKIPPED_FOLDER_PLACEHOLDER.inc();
        LOG.info("Skipped {}: folder placeholder", notification.generationKey());
      } else if (locations.isOwnOutput(bucket, name)) {
        PipelineMetrics.SKIPPED_OWN_OUTPUT.inc();
        LOG.info("Skipped {}: written by this pipeline", notification.generationKey());
      } else {
        String tooLong = locations.outputNameProblem(bucket, name);
        String notLocal = locations.localRenameProblem(bucket, name);
        if (tooLong != null) {
          out.get(DeadLetter.TAG).output(deadLetter(notification, OUTPUT_NAME_TOO_LONG, tooLong));
        } else if (notLocal != null) {
          out.get(DeadLetter.TAG).output(deadLetter(notification, OUTPUT_NAME_NOT_LOCAL, notLocal));
        } else {
          out.get(SELECTED).output(notification);
        }
      }
    }

    private static DeadLetter deadLetter(GcsNotification n, String type, String message) {
      return new DeadLetter(n.original(), STEP, type, message, Instant.now());
    }
  }
}
