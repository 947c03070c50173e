package dev.gcsrewrite.coders;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.ClaimCoder;
import dev.gcsrewrite.claim.FailedObject;
import dev.gcsrewrite.claim.FailedObjectCoder;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.claim.OutcomeCoder;
import dev.gcsrewrite.deadletter.DeadLetter;
import dev.gcsrewrite.deadletter.DeadLetterCoder;
import dev.gcsrewrite.deadletter.OriginalMessage;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * Beam finds the pipeline's coders on its own, and they keep the bytes a running job's state and
 * shuffles were written with.
 */
public class DefaultCodersTest {
  private static final CoderRegistry REGISTRY = CoderRegistry.createDefault();

  private static final OriginalMessage ORIGINAL =
      new OriginalMessage(
          new byte[] {0, 1, (byte) 0xff}, new TreeMap<>(Map.of("z", "1", "a", "é")), "m1");
  private static final GcsNotification NOTIFICATION =
      new GcsNotification(
          "bucket",
          "dir/object",
          1_700_000_000_000_001L,
          GcsNotification.OBJECT_FINALIZE,
          GcsNotification.JSON_API_V1,
          "2026-11-23T10:00:00Z",
          null,
          1L,
          12L,
          "text/plain",
          null,
          "AAAAAA==",
          "m1",
          Instant.parse("2026-11-23T10:00:01Z"),
          ORIGINAL);
  private static final Claim CLAIM = new Claim(NOTIFICATION, 3);
  private static final DeadLetter DEAD_LETTER =
      new DeadLetter(ORIGINAL, "Stage", "Type", "message", Instant.parse("2026-11-23T10:00:02Z"));

  @Test
  public void theRegistryGivesEachRecordItsOwnCoder() throws Exception {
    assertEquals(GcsNotificationCoder.of(), coderFor(GcsNotification.class));
    assertEquals(ClaimCoder.of(), coderFor(Claim.class));
    assertEquals(OutcomeCoder.of(), coderFor(Outcome.class));
    assertEquals(FailedObjectCoder.of(), coderFor(FailedObject.class));
    assertEquals(DeadLetterCoder.of(), coderFor(DeadLetter.class));
    assertEquals(
        KvCoder.of(StringUtf8Coder.of(), GcsNotificationCoder.of()),
        REGISTRY.getCoder(
            TypeDescriptors.kvs(
                TypeDescriptors.strings(), TypeDescriptor.of(GcsNotification.class))));
    // What the audit and dead-letter steps publish: attributes, no message ID, as PubsubIO writes.
    assertEquals(PubsubMessageWithAttributesCoder.class, coderFor(PubsubMessage.class).getClass());
  }

  @Test
  public void keysAndDestinationsEncodeDeterministically() throws Exception {
    // DropSeenGenerations and WaitForLease key by String; FileIO's destination is the claim.
    GcsNotificationCoder.of().verifyDeterministic();
    ClaimCoder.of().verifyDeterministic();
    assertTrue(GcsNotificationCoder.of().consistentWithEquals());
    CoderProperties.coderDecodeEncodeEqual(GcsNotificationCoder.of(), NOTIFICATION);
    CoderProperties.coderDecodeEncodeEqual(ClaimCoder.of(), CLAIM);
    CoderProperties.coderDecodeEncodeEqual(
        FailedObjectCoder.of(), new FailedObject(CLAIM, DEAD_LETTER));
  }

  @Test
  public void encodingsAreTheBytesRunningJobsHold() throws Exception {
    String original = "030001ff" + "02" + "0161" + "02c3a9" + "017a" + "0131" + "026d31";
    String notification =
        "066275636b6574" // bucket
            + "0a6469722f6f626a656374" // dir/object
            + "8180f9c0c1c48203" // generation
            + "0f4f424a4543545f46494e414c495a45" // OBJECT_FINALIZE
            + "0b4a534f4e5f4150495f5631" // JSON_API_V1
            + "14323032362d31312d32335431303a30303a30305a" // eventTime
            + "00" // no overwroteGeneration
            + "0101" // metageneration 1
            + "010c" // size 12
            + "010a746578742f706c61696e" // text/plain
            + "00" // no md5Hash
            + "01084141414141413d3d" // crc32c
            + "026d31" // messageId
            + "800001a207d924e8" // publishTime
            + original;
    String deadLetter =
        original + "055374616765" + "0454797065" + "076d657373616765" + "800001a207d928d0";
    assertEquals(notification, hex(GcsNotificationCoder.of(), NOTIFICATION));
    assertEquals(notification + "03", hex(ClaimCoder.of(), CLAIM));
    assertEquals(
        "08434f4d504c455445" // COMPLETE
            + notification
            + "03" // token
            + "011d67733a2f2f6f75742f6469722f6f626a6563742e70726f636573736564"
            + "0c" // 12 bytes
            + "00", // no reason
        hex(OutcomeCoder.of(), Outcome.complete(CLAIM, "gs://out/dir/object.processed", 12)));
    assertEquals(deadLetter, hex(DeadLetterCoder.of(), DEAD_LETTER));
    assertEquals(
        notification + "03" + deadLetter,
        hex(FailedObjectCoder.of(), new FailedObject(CLAIM, DEAD_LETTER)));
  }

  private static Coder<?> coderFor(Class<?> type) throws Exception {
    return REGISTRY.getCoder(TypeDescriptor.of(type));
  }

  private static <T> String hex(Coder<T> coder, T value) throws Exception {
    return HexFormat.of().formatHex(CoderUtils.encodeToByteArray(coder, value));
  }
}
