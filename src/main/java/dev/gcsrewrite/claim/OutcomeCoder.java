package dev.gcsrewrite.claim;

import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link Outcome}. */
public final class OutcomeCoder extends CustomCoder<Outcome> {
  private static final OutcomeCoder INSTANCE = new OutcomeCoder();
  private static final Coder<String> OPTIONAL_STRING = NullableCoder.of(StringUtf8Coder.of());

  private OutcomeCoder() {}

  public static OutcomeCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Outcome value, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(value.kind().name(), out);
    GcsNotificationCoder.of().encode(value.notification(), out);
    VarLongCoder.of().encode(value.claimToken(), out);
    OPTIONAL_STRING.encode(value.outputUri(), out);
    // -1 (unknown) is rare; VarLong's ten bytes for it do not matter.
    VarLongCoder.of().encode(value.outputBytes(), out);
    OPTIONAL_STRING.encode(value.reason(), out);
  }

  @Override
  public Outcome decode(InputStream in) throws IOException {
    return new Outcome(
        Outcome.Kind.valueOf(StringUtf8Coder.of().decode(in)),
        GcsNotificationCoder.of().decode(in),
        VarLongCoder.of().decode(in),
        OPTIONAL_STRING.decode(in),
        VarLongCoder.of().decode(in),
        OPTIONAL_STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
