package dev.gcsrewrite.notification;

import dev.gcsrewrite.deadletter.OriginalMessageCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Deterministic coder for {@link GcsNotification}, so that a notification can be a grouping key and
 * a FileIO destination.
 */
public final class GcsNotificationCoder extends CustomCoder<GcsNotification> {
  private static final GcsNotificationCoder INSTANCE = new GcsNotificationCoder();
  private static final Coder<String> STRING = StringUtf8Coder.of();
  private static final Coder<String> OPTIONAL_STRING = NullableCoder.of(StringUtf8Coder.of());
  private static final Coder<Long> LONG = VarLongCoder.of();
  private static final Coder<Long> OPTIONAL_LONG = NullableCoder.of(VarLongCoder.of());

  private GcsNotificationCoder() {}

  public static GcsNotificationCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(GcsNotification value, OutputStream out) throws IOException {
    STRING.encode(value.bucket(), out);
    STRING.encode(value.objectId(), out);
    LONG.encode(value.generation(), out);
    STRING.encode(value.eventType(), out);
    STRING.encode(value.payloadFormat(), out);
    STRING.encode(value.eventTime(), out);
    OPTIONAL_LONG.encode(value.overwroteGeneration(), out);
    OPTIONAL_LONG.encode(value.metageneration(), out);
    OPTIONAL_LONG.encode(value.size(), out);
    OPTIONAL_STRING.encode(value.contentType(), out);
    OPTIONAL_STRING.encode(value.md5Hash(), out);
    OPTIONAL_STRING.encode(value.crc32c(), out);
    STRING.encode(value.messageId(), out);
    InstantCoder.of().encode(value.publishTime(), out);
    OriginalMessageCoder.of().encode(value.original(), out);
  }

  @Override
  public GcsNotification decode(InputStream in) throws IOException {
    return new GcsNotification(
        STRING.decode(in),
        STRING.decode(in),
        LONG.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        OPTIONAL_LONG.decode(in),
        OPTIONAL_LONG.decode(in),
        OPTIONAL_LONG.decode(in),
        OPTIONAL_STRING.decode(in),
        OPTIONAL_STRING.decode(in),
        OPTIONAL_STRING.decode(in),
        STRING.decode(in),
        InstantCoder.of().decode(in),
        OriginalMessageCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
