package dev.gcsrewrite.deadletter;

import static org.junit.Assert.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.testing.CoderProperties;
import org.joda.time.Instant;
import org.junit.Test;

public class DeadLetterCodersTest {
  private static final OriginalMessage ORIGINAL =
      new OriginalMessage(
          new byte[] {0, 1, (byte) 0xff}, new TreeMap<>(Map.of("z", "1", "a", "é")), "m1");

  @Test
  public void originalMessageSurvivesEncodingAndEncodesDeterministically() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(OriginalMessageCoder.of(), ORIGINAL);
    CoderProperties.coderDeterministic(
        OriginalMessageCoder.of(),
        ORIGINAL,
        new OriginalMessage(
            new byte[] {0, 1, (byte) 0xff}, new TreeMap<>(Map.of("a", "é", "z", "1")), "m1"));
  }

  @Test
  public void deadLetterSurvivesEncoding() throws Exception {
    DeadLetter deadLetter =
        new DeadLetter(ORIGINAL, "Stage", "Type", "message", Instant.parse("2026-11-23T10:00:00Z"));
    CoderProperties.coderDecodeEncodeEqual(DeadLetterCoder.of(), deadLetter);
  }

  @Test
  public void originalMessagesWithEqualBytesAreEqual() {
    OriginalMessage copy =
        new OriginalMessage(ORIGINAL.payload().clone(), ORIGINAL.attributes(), "m1");
    assertEquals(ORIGINAL, copy);
    assertEquals(ORIGINAL.hashCode(), copy.hashCode());
  }
}
