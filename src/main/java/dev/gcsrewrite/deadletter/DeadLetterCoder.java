package dev.gcsrewrite.deadletter;

import dev.gcsrewrite.coders.RecordCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** Deterministic coder for {@link DeadLetter}: the original, stage, type, message and time. */
public final class DeadLetterCoder extends RecordCoder<DeadLetter> {
  private static final long serialVersionUID = 1L;
  private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();

  private DeadLetterCoder() {
    super(
        DeadLetter.class,
        OriginalMessageCoder.of(),
        StringUtf8Coder.of(),
        StringUtf8Coder.of(),
        StringUtf8Coder.of(),
        InstantCoder.of());
  }

  public static DeadLetterCoder of() {
    return INSTANCE;
  }
}
