package dev.gcsrewrite.claim;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.notification.GcsNotificationCoder;
import org.apache.beam.sdk.coders.DelegateCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link Outcome}: its kind's name, then its other components. */
public final class OutcomeCoder extends RecordCoder<Outcome> {
  private static final long serialVersionUID = 1L;
  private static final OutcomeCoder INSTANCE = new OutcomeCoder();

  private OutcomeCoder() {
    super(
        Outcome.class,
        DelegateCoder.of(StringUtf8Coder.of(), Outcome.Kind::name, Outcome.Kind::valueOf),
        GcsNotificationCoder.of(),
        VarLongCoder.of(),
        NullableCoder.of(StringUtf8Coder.of()),
        VarLongCoder.of(),
        NullableCoder.of(StringUtf8Coder.of()));
  }

  public static OutcomeCoder of() {
    return INSTANCE;
  }
}
