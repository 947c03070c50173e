package dev.gcsrewrite.claim;

import dev.gcsrewrite.notification.GcsNotificationCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link ParkedClaim}. */
public final class ParkedClaimCoder extends CustomCoder<ParkedClaim> {
  private static final ParkedClaimCoder INSTANCE = new ParkedClaimCoder();

  private ParkedClaimCoder() {}

  public static ParkedClaimCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ParkedClaim value, OutputStream out) throws IOException {
    GcsNotificationCoder.of().encode(value.notification(), out);
    StringUtf8Coder.of().encode(value.owner(), out);
    VarLongCoder.of().encode(value.leaseUntilMillis(), out);
  }

  @Override
  public ParkedClaim decode(InputStream in) throws IOException {
    return new ParkedClaim(
        GcsNotificationCoder.of().decode(in),
        StringUtf8Coder.of().decode(in),
        VarLongCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
