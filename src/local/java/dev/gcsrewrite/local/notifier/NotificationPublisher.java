package dev.gcsrewrite.local.notifier;

import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * Where {@link LocalBucketNotifier} sends its notifications: a Pub/Sub topic in the local stack, a
 * list in tests. An interface so that the notifier needs neither a Pub/Sub client nor an emulator
 * to be tested.
 */
@FunctionalInterface
public interface NotificationPublisher {
  /**
   * Publishes {@code messages}, in order, each as a separate Pub/Sub message with its own message
   * ID (the messages have none; the same instance may appear several times, and each occurrence is
   * a separate message). Splitting into requests is the implementation's business.
   *
   * @throws IOException if the messages may not all have been published; the notifier then
   *     publishes all of them again later, which can duplicate some (harmless: notifications are at
   *     least once anyway)
   */
  void publish(List<PubsubMessage> messages) throws IOException;
}
