package dev.gcsrewrite.work;

import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link Claim}, so that a claim can be a FileIO destination. */
public final class ClaimCoder extends CustomCoder<Claim> {
  private static final ClaimCoder INSTANCE = new ClaimCoder();

  private ClaimCoder() {}

  public static ClaimCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(Claim value, OutputStream out) throws IOException {
    GcsNotificationCoder.of().encode(value.notification(), out);
    VarLongCoder.of().encode(value.token(), out);
  }

  @Override
  public Claim decode(InputStream in) throws IOException {
    return new Claim(GcsNotificationCoder.of().decode(in), VarLongCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
