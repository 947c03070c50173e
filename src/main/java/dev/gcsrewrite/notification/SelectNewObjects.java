package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.metrics.PipelineMetrics;
import java.nio.charset.StandardCharsets;
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
 * <p>Skipped, each counted: events other than {@code OBJECT_FINALIZE} (deletes, archives and
 * metadata updates carry no new content), folder placeholders (names ending in "/"), and objects
 * this pipeline wrote itself (names ending in the output suffix, and FileIO's temporary files),
 * which would otherwise loop when the work and processed buckets are the same. An object whose
 * output name would exceed Cloud Storage's name limit cannot be written and is dead-lettered.
 */
public final class SelectNewObjects
    extends PTransform<
        PCollection<GcsNotification>,
        WithFailures.Result<PCollection<GcsNotification>, DeadLetter>> {

  /** Stable step name, used as the dead letters' {@code errorStage}. */
  public static final String STEP = "SelectNewObjects";

  /** Error type for objects whose output name would be too long. */
  public static final String OUTPUT_NAME_TOO_LONG = "OutputNameTooLong";

  /** Prefix of the folders FileIO writes temporary files to, below the output directory. */
  public static final String FILEIO_TEMP_PREFIX = ".temp-beam";

  private static final TupleTag<GcsNotification> SELECTED = new TupleTag<>("selected") {};

  private final String outputSuffix;

  public SelectNewObjects(String outputSuffix) {
    this.outputSuffix = outputSuffix;
  }

  @Override
  public WithFailures.Result<PCollection<GcsNotification>, DeadLetter> expand(
      PCollection<GcsNotification> notifications) {
    PCollectionTuple results =
        notifications.apply(
            "Select",
            ParDo.of(new SelectFn(outputSuffix))
                .withOutputTags(SELECTED, TupleTagList.of(DeadLetter.TAG)));
    return DeadLetter.result(results, SELECTED, GcsNotificationCoder.of());
  }

  /** Applies the selection rules to one notification. */
  static final class SelectFn extends DoFn<GcsNotification, GcsNotification> {
    private static final Logger LOG = LoggerFactory.getLogger(SelectNewObjects.class);
    private final String outputSuffix;

    SelectFn(String outputSuffix) {
      this.outputSuffix = outputSuffix;
    }

    @ProcessElement
    public void process(@Element GcsNotification notification, MultiOutputReceiver out) {
      String name = notification.objectId();
      if (!notification.isFinalize()) {
        PipelineMetrics.SKIPPED_NOT_FINALIZE.inc();
        LOG.info(
            "Skipped {} of {}: not a new object",
            notification.eventType(),
            notification.generationKey());
      } else if (name.endsWith("/")) {
        PipelineMetrics.SKIPPED_FOLDER_PLACEHOLDER.inc();
        LOG.info("Skipped {}: folder placeholder", notification.generationKey());
      } else if (name.endsWith(outputSuffix) || isFileIoTempFile(name)) {
        PipelineMetrics.SKIPPED_OWN_OUTPUT.inc();
        LOG.info("Skipped {}: written by this pipeline", notification.generationKey());
      } else if (outputNameBytes(name) > StorageNames.MAX_OBJECT_NAME_BYTES) {
        out.get(DeadLetter.TAG)
            .output(
                new DeadLetter(
                    notification.original(),
                    STEP,
                    OUTPUT_NAME_TOO_LONG,
                    "output name '"
                        + name
                        + outputSuffix
                        + "' would exceed "
                        + StorageNames.MAX_OBJECT_NAME_BYTES
                        + " bytes",
                    Instant.now()));
      } else {
        out.get(SELECTED).output(notification);
      }
    }

    private int outputNameBytes(String name) {
      return (name + outputSuffix).getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isFileIoTempFile(String name) {
      for (String segment : name.split("/")) {
        if (segment.startsWith(FILEIO_TEMP_PREFIX)) {
          return true;
        }
      }
      return false;
    }
  }
}
