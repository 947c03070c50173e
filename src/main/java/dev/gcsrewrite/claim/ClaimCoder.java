package dev.gcsrewrite.claim;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link Claim}: the notification, then the fencing token. */
public final class ClaimCoder extends RecordCoder<Claim> {
  private static final long serialVersionUID = 1L;
  private static final ClaimCoder INSTANCE = new ClaimCoder();

  private ClaimCoder() {
    super(Claim.class, GcsNotificationCoder.of(), VarLongCoder.of());
  }

  public static ClaimCoder of() {
    return INSTANCE;
  }
}
