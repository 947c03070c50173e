package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** Deterministic coder for {@link FailedObject}. */
public final class FailedObjectCoder extends CustomCoder<FailedObject> {
  private static final FailedObjectCoder INSTANCE = new FailedObjectCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  private FailedObjectCoder() {}

  public static FailedObjectCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(FailedObject value, OutputStream out) throws IOException {
    GcsNotificationCoder.of().encode(value.notification(), out);
    STRING.encode(value.stage(), out);
    STRING.encode(value.errorType(), out);
    STRING.encode(value.errorMessage(), out);
    InstantCoder.of().encode(value.failedAt(), out);
  }

  @Override
  public FailedObject decode(InputStream in) throws IOException {
    return new FailedObject(
        GcsNotificationCoder.of().decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        InstantCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
