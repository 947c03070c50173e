package dev.gcsrewrite.coders;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;

/** A record coded component by component: round trips, the bytes, determinism, serialisation. */
public class RecordCoderTest {
  public record Pair(String name, long count) {}

  public record Measured(String name, double value) {}

  static final class PairCoder extends RecordCoder<Pair> {
    private static final long serialVersionUID = 1L;

    PairCoder() {
      super(Pair.class, StringUtf8Coder.of(), VarLongCoder.of());
    }
  }

  static final class MeasuredCoder extends RecordCoder<Measured> {
    private static final long serialVersionUID = 1L;

    MeasuredCoder() {
      super(Measured.class, StringUtf8Coder.of(), DoubleCoder.of());
    }
  }

  @Test
  public void roundTripsAndIsDeterministicWhenEveryComponentIs() throws Exception {
    PairCoder coder = new PairCoder();
    CoderProperties.coderDecodeEncodeEqual(coder, new Pair("a é", 42));
    CoderProperties.coderDeterministic(coder, new Pair("x", -1), new Pair("x", -1));
    coder.verifyDeterministic();
    assertTrue(coder.consistentWithEquals());
  }

  @Test
  public void bytesAreTheComponentCodersOneAfterAnother() throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    StringUtf8Coder.of().encode("name", expected);
    VarLongCoder.of().encode(7L, expected);
    ByteArrayOutputStream actual = new ByteArrayOutputStream();
    new PairCoder().encode(new Pair("name", 7), actual);
    assertArrayEquals(expected.toByteArray(), actual.toByteArray());
  }

  @Test
  public void aNonDeterministicComponentMakesTheRecordNonDeterministic() {
    MeasuredCoder coder = new MeasuredCoder();
    assertThrows(Coder.NonDeterministicException.class, coder::verifyDeterministic);
  }

  @Test
  public void survivesJavaSerialisationAsCodersDoOnTheirWayToWorkers() throws Exception {
    PairCoder copy = SerializableUtils.clone(new PairCoder());
    CoderProperties.coderDecodeEncodeEqual(copy, new Pair("after", 3));
  }

  @Test
  public void refusesACoderListThatDoesNotMatchTheComponents() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RecordCoder<Pair>(Pair.class, StringUtf8Coder.of()) {
                  private static final long serialVersionUID = 1L;
                });
    assertEquals("Pair has 2 components, not 1", refused.getMessage());
  }
}
