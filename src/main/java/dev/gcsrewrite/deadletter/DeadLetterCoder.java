package dev.gcsrewrite.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** Deterministic coder for {@link DeadLetter}. */
public final class DeadLetterCoder extends CustomCoder<DeadLetter> {
  private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private DeadLetterCoder() {}

  public static DeadLetterCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(DeadLetter value, OutputStream out) throws IOException {
    OriginalMessageCoder.of().encode(value.original(), out);
    STRING.encode(value.errorStage(), out);
    STRING.encode(value.errorType(), out);
    STRING.encode(value.errorMessage(), out);
    InstantCoder.of().encode(value.failedAt(), out);
  }

  @Override
  public DeadLetter decode(InputStream in) throws IOException {
    return new DeadLetter(
        OriginalMessageCoder.of().decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        InstantCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
