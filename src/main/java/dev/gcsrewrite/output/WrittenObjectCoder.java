package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link WrittenObject}. */
public final class WrittenObjectCoder extends CustomCoder<WrittenObject> {
  private static final WrittenObjectCoder INSTANCE = new WrittenObjectCoder();

  private WrittenObjectCoder() {}

  public static WrittenObjectCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(WrittenObject value, OutputStream out) throws IOException {
    GcsNotificationCoder.of().encode(value.notification(), out);
    StringUtf8Coder.of().encode(value.outputUri(), out);
    // Sizes are -1 when unknown; zig-zag is not needed for one rare negative value.
    VarLongCoder.of().encode(value.outputBytes(), out);
  }

  @Override
  public WrittenObject decode(InputStream in) throws IOException {
    return new WrittenObject(
        GcsNotificationCoder.of().decode(in),
        StringUtf8Coder.of().decode(in),
        VarLongCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
