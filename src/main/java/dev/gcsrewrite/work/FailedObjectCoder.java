package dev.gcsrewrite.work;

import dev.gcsrewrite.deadletter.DeadLetterCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;

/** Deterministic coder for {@link FailedObject}. */
public final class FailedObjectCoder extends CustomCoder<FailedObject> {
  private static final FailedObjectCoder INSTANCE = new FailedObjectCoder();

  private FailedObjectCoder() {}

  public static FailedObjectCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(FailedObject value, OutputStream out) throws IOException {
    ClaimCoder.of().encode(value.claim(), out);
    DeadLetterCoder.of().encode(value.deadLetter(), out);
  }

  @Override
  public FailedObject decode(InputStream in) throws IOException {
    return new FailedObject(ClaimCoder.of().decode(in), DeadLetterCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
