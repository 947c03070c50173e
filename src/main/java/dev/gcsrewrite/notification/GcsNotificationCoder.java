package dev.gcsrewrite.notification;

import dev.gcsrewrite.coders.RecordCoder;
import dev.gcsrewrite.deadletter.OriginalMessageCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Deterministic coder for {@link GcsNotification}, so that a notification can be a grouping key and
 * a FileIO destination: its components in declaration order.
 */
public final class GcsNotificationCoder extends RecordCoder<GcsNotification> {
  private static final long serialVersionUID = 1L;
  private static final GcsNotificationCoder INSTANCE = new GcsNotificationCoder();

  private GcsNotificationCoder() {
    super(
        GcsNotification.class,
        StringUtf8Coder.of(),
        StringUtf8Coder.of(),
        VarLongCoder.of(),
        StringUtf8Coder.of(),
        StringUtf8Coder.of(),
        StringUtf8Coder.of(),
        NullableCoder.of(VarLongCoder.of()),
        NullableCoder.of(VarLongCoder.of()),
        NullableCoder.of(VarLongCoder.of()),
        NullableCoder.of(StringUtf8Coder.of()),
        NullableCoder.of(StringUtf8Coder.of()),
        NullableCoder.of(StringUtf8Coder.of()),
        StringUtf8Coder.of(),
        InstantCoder.of(),
        OriginalMessageCoder.of());
  }

  public static GcsNotificationCoder of() {
    return INSTANCE;
  }
}
