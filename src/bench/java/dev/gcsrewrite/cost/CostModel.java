package dev.gcsrewrite.cost;

import dev.gcsrewrite.audit.AuditContext;
import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.location.ObjectLocations;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import dev.gcsrewrite.notification.NotificationParser;
import dev.gcsrewrite.testing.Notifications;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.io.FileBasedSink.FileResult;
import org.apache.beam.sdk.io.FileBasedSink.FileResultCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.ShardedKey;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * What an object costs on Google Cloud, from counted operations: the sample notification ({@code
 * finalize.json}, as Cloud Storage sends it) through the pipeline's own code and coders.
 *
 * <ul>
 *   <li>Pub/Sub: the bytes Pub/Sub bills for the notification (published by Cloud Storage, pulled
 *       by the job) and for the {@code processing} and {@code complete} events the job makes of it
 *       (published, and pulled once by one consumer each), by its rule: body, attributes, 20 bytes
 *       of timestamp and the message ID.
 *   <li>Shuffles: the keyed exchanges every written object crosses in the translated Dataflow job
 *       ({@link ShufflesPerObject}), and the bytes of the element it carries through each, encoded
 *       with the job's coders in their windowed form.
 *   <li>Cloud Storage: the operations per object that {@code CloudStorageOperationsTest} counts and
 *       asserts at the storage client, plus the notification itself, which Cloud Storage bills as a
 *       Class B operation.
 * </ul>
 *
 * <p>Then a cost per million objects at the list prices below. Not a test: run it with {@code mvn
 * -B -q test-compile exec:exec@cost-model}; {@code docs/cost-model.md} keeps its output.
 */
public final class CostModel {
  /** The day the prices below were read (stored copies of the pricing pages). */
  static final String PRICES_READ = "2026-11-26";

  /** Cloud Storage, Standard storage in a region: USD per 1,000 operations. */
  static final double CLASS_A_PER_1000 = 0.005;

  static final double CLASS_B_PER_1000 = 0.0004;

  /** Pub/Sub throughput (publish and delivery), USD per TiB, after the first 10 GiB a month. */
  static final double PUBSUB_PER_TIB = 40.0;

  /** Asserted by {@code CloudStorageOperationsTest}: source metadata, source bytes, output size. */
  static final int CLASS_B_PER_OBJECT = 3;

  /** Asserted by {@code CloudStorageOperationsTest}: the temporary file's upload, its rewrite. */
  static final int CLASS_A_PER_OBJECT = 2;

  /** A Pub/Sub message ID as the service assigns it (16 digits). */
  private static final int SERVICE_MESSAGE_ID = 16;

  private static final double MILLION = 1_000_000;

  private CostModel() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    ObjectLocations locations =
        new ObjectLocations("gs://", "gs://example-processed/", ".processed");
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());

    PubsubMessage delivered = Notifications.sample("finalize.json");
    GcsNotification notification =
        NotificationParser.parse(
            new OriginalMessage(
                delivered.getPayload(),
                new TreeMap<>(delivered.getAttributeMap()),
                delivered.getMessageId()),
            Notifications.samplePublishTime("finalize.json"));
    Claim claim = new Claim(notification, 1_764_064_800_123L);
    String output = locations.outputSpec(notification.bucket(), notification.objectId());
    AuditContext audit = new AuditContext("gcs-rewrite-prod", locations);
    PubsubMessage processing = audit.processing(claim).toPubsubMessage();
    PubsubMessage complete =
        audit.outcome(Outcome.complete(claim, output, notification.size())).toPubsubMessage();

    long notificationBytes = billable(delivered, delivered.getMessageId().length());
    long processingBytes = billable(processing, SERVICE_MESSAGE_ID);
    long completeBytes = billable(complete, SERVICE_MESSAGE_ID);
    // Each is published once and delivered once (the job's subscription; one consumer per topic).
    long pubsubBytes = 2 * (notificationBytes + processingBytes + completeBytes);
    out.printf("object: %s (%d bytes)%n", notification.generationKey(), notification.size());
    out.println("Pub/Sub messages per object, billable bytes (published, then delivered once):");
    out.printf(
        "  notification %d, processing event %d, complete event %d%n",
        notificationBytes, processingBytes, completeBytes);
    out.printf("  %d bytes per object in all (6 message transfers)%n", pubsubBytes);

    out.println();
    int shuffles = ShufflesPerObject.perWrittenObject(out);
    Map<String, Long> shuffled = shuffledBytes(notification, claim, output);
    out.println("bytes each written object carries into them (windowed, with the job's coders):");
    long shuffledBytes = 0;
    for (Map.Entry<String, Long> exchange : shuffled.entrySet()) {
      out.printf("  %5d  %s%n", exchange.getValue(), exchange.getKey());
      shuffledBytes += exchange.getValue();
    }
    out.printf("  %5d  in all, through %d exchanges%n", shuffledBytes, shuffled.size());
    if (shuffled.size() != shuffles) {
      throw new IllegalStateException(
          "the translated job has "
              + shuffles
              + " shuffles per object, this model "
              + shuffled.size());
    }

    out.println();
    out.printf("at list prices read %s (USD, per million objects):%n", PRICES_READ);
    double classA = CLASS_A_PER_OBJECT * MILLION / 1000 * CLASS_A_PER_1000;
    double classB = (CLASS_B_PER_OBJECT + 1) * MILLION / 1000 * CLASS_B_PER_1000;
    double pubsub = pubsubBytes * MILLION / Math.pow(2, 40) * PUBSUB_PER_TIB;
    out.printf(
        "  Cloud Storage Class A: %d per object x $%.4f/1,000 = $%.2f%n",
        CLASS_A_PER_OBJECT, CLASS_A_PER_1000, classA);
    out.printf(
        "  Cloud Storage Class B: %d per object (+1, the notification) x $%.4f/1,000 = $%.2f%n",
        CLASS_B_PER_OBJECT, CLASS_B_PER_1000, classB);
    out.printf(
        "  Pub/Sub: %.2f GiB x $%.0f/TiB = $%.2f%n",
        pubsubBytes * MILLION / Math.pow(2, 30), PUBSUB_PER_TIB, pubsub);
    long trickleBytes =
        2
            * (Math.max(1000, notificationBytes)
                + Math.max(1000, processingBytes)
                + Math.max(1000, completeBytes));
    out.printf(
        "  Pub/Sub if every message were its own request (1,000 bytes at least each): $%.2f%n",
        trickleBytes * MILLION / Math.pow(2, 40) * PUBSUB_PER_TIB);
    out.printf(
        "  Dataflow shuffle: %.2f GiB through %d exchanges (priced by the job's billing model)%n",
        shuffledBytes * MILLION / Math.pow(2, 30), shuffles);
    out.printf("  total priced here: $%.2f per million objects%n", classA + classB + pubsub);
  }

  /** Pub/Sub's billable size of a message: body, attribute keys and values, timestamp, ID. */
  static long billable(PubsubMessage message, int messageIdLength) {
    long bytes = message.getPayload().length + 20 + messageIdLength;
    for (Map.Entry<String, String> attribute : message.getAttributeMap().entrySet()) {
      bytes += attribute.getKey().getBytes(StandardCharsets.UTF_8).length;
      bytes += attribute.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  /**
   * The element each keyed exchange of the translated job carries for one written object, in graph
   * order, encoded as a windowed value in the global window.
   */
  private static Map<String, Long> shuffledBytes(
      GcsNotification notification, Claim claim, String output) throws Exception {
    Map<String, Long> bytes = new LinkedHashMap<>();
    bytes.put(
        "DropSeenGenerations/DropSeen (generation key, notification)",
        windowed(
            KvCoder.of(StringUtf8Coder.of(), GcsNotificationCoder.of()),
            KV.of(notification.generationKey(), notification)));
    bytes.put(
        "WriteFiles/GroupIntoShards (sharded key, claim)",
        windowed(
            KvCoder.of(
                org.apache.beam.sdk.coders.ShardedKeyCoder.of(VarIntCoder.of()), ClaimCoder.of()),
            KV.of(ShardedKey.of(123456789, 0), claim)));
    @SuppressWarnings("unchecked")
    Coder<BoundedWindow> windowCoder =
        (Coder<BoundedWindow>) (Coder<?>) GlobalWindow.Coder.INSTANCE;
    FileResultCoder<Claim> resultCoder = FileResultCoder.of(windowCoder, ClaimCoder.of());
    FileResult<Claim> result =
        new FileResult<>(
            FileSystems.matchNewResource(
                "gs://example-processed/.temp-beam/0f8d92bbb3cd6aec-5ee2-4ff7-9ba3-0f8d92bbb3cd",
                false),
            0,
            (BoundedWindow) GlobalWindow.INSTANCE,
            PaneInfo.ON_TIME_AND_ONLY_FIRING,
            claim);
    bytes.put(
        "WriteFiles/GatherTempFileResults/Reshuffle (no key, file result)",
        windowed(KvCoder.of(VoidCoder.of(), resultCoder), KV.of(null, result)));
    // One list per pane; its share per object is one file result in it.
    long list =
        windowed(
            KvCoder.of(VarIntCoder.of(), ListCoder.of(resultCoder)), KV.of(7, List.of(result)));
    bytes.put("WriteFiles/GatherTempFileResults/Reshuffle.ViaRandomKey (a pane's list)", list);
    bytes.put(
        "WriteFiles/FinalizeTempFileBundles/Reshuffle.ViaRandomKey (claim, final filename)",
        windowed(
            KvCoder.of(VarIntCoder.of(), KvCoder.of(ClaimCoder.of(), StringUtf8Coder.of())),
            KV.of(7, KV.of(claim, output))));
    return bytes;
  }

  private static <T> long windowed(Coder<T> coder, T value) throws Exception {
    Coder<WindowedValue<T>> full = WindowedValues.getFullCoder(coder, GlobalWindow.Coder.INSTANCE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    full.encode(WindowedValues.valueInGlobalWindow(value), out);
    return out.size();
  }
}
