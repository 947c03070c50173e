package dev.gcsrewrite.testing;

import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.TypeDescriptors;

/** Views of published messages that {@code PAssert} can compare. */
public final class Messages {
  private Messages() {}

  /** Each message as {@code <attribute value>}, or "-" when the message lacks it. */
  public static MapElements<PubsubMessage, String> attribute(String key) {
    return MapElements.into(TypeDescriptors.strings()).via(new AttributeFn(key));
  }

  private record AttributeFn(String key) implements SerializableFunction<PubsubMessage, String> {
    @Override
    public String apply(PubsubMessage message) {
      String value = message.getAttribute(key);
      return value == null ? "-" : value;
    }
  }
}
