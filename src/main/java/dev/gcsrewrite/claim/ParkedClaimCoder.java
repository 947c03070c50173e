package dev.gcsrewrite.claim;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link ParkedClaim}: notification, holder and lease end. */
public final class ParkedClaimCoder extends RecordCoder<ParkedClaim> {
  private static final long serialVersionUID = 1L;
  private static final ParkedClaimCoder INSTANCE = new ParkedClaimCoder();

  private ParkedClaimCoder() {
    super(ParkedClaim.class, GcsNotificationCoder.of(), StringUtf8Coder.of(), VarLongCoder.of());
  }

  public static ParkedClaimCoder of() {
    return INSTANCE;
  }
}
