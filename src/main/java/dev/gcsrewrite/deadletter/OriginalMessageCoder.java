package dev.gcsrewrite.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * Deterministic coder for {@link OriginalMessage}: attributes are written in key order, so equal
 * messages always encode to equal bytes (required for keys and FileIO destinations).
 */
public final class OriginalMessageCoder extends CustomCoder<OriginalMessage> {
  private static final OriginalMessageCoder INSTANCE = new OriginalMessageCoder();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  private OriginalMessageCoder() {}

  public static OriginalMessageCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(OriginalMessage value, OutputStream out) throws IOException {
    BYTES.encode(value.payload(), out);
    INT.encode(value.attributes().size(), out);
    for (Map.Entry<String, String> attribute : value.attributes().entrySet()) {
      STRING.encode(attribute.getKey(), out);
      STRING.encode(attribute.getValue(), out);
    }
    STRING.encode(value.messageId(), out);
  }

  @Override
  public OriginalMessage decode(InputStream in) throws IOException {
    byte[] payload = BYTES.decode(in);
    int count = INT.decode(in);
    TreeMap<String, String> attributes = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      attributes.put(STRING.decode(in), STRING.decode(in));
    }
    return new OriginalMessage(payload, attributes, STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
