package dev.gcsrewrite.testing.servers;

import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.local.servers.Ports;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.junit.rules.ExternalResource;

/**
 * The real Pub/Sub emulator from the Google Cloud CLI for a test class (started the way the local
 * stack starts it), with the REST calls tests need. Fails with what to install when it is missing.
 */
public final class PubsubEmulator extends ExternalResource {
  /** The project every emulated resource belongs to. */
  public static final String PROJECT = "test-project";

  private static Path jar;

  private Path home;
  private PubsubEmulatorProcess emulator;
  private PubsubAdmin admin;

  @Override
  protected void before() throws Throwable {
    home = Files.createTempDirectory("pubsub-emulator-");
    emulator = PubsubEmulatorProcess.start(jar(home), home, Ports.free());
    admin = new PubsubAdmin(emulator.rootUrl(), PROJECT);
  }

  /** The emulator's jar, asked of gcloud once per JVM: each asking is a second of CPU. */
  private static synchronized Path jar(Path scratch) throws IOException {
    if (jar == null) {
      jar = PubsubEmulatorProcess.findJar(scratch);
    }
    return jar;
  }

  @Override
  protected void after() {
    if (emulator != null) {
      emulator.close();
    }
    Folders.deleteTree(home);
  }

  /** {@code http://127.0.0.1:<port>}, the value of Beam's {@code --pubsubRootUrl}. */
  public String rootUrl() {
    return emulator.rootUrl();
  }

  public PubsubAdmin admin() {
    return admin;
  }

  public static String topic(String name) {
    return "projects/" + PROJECT + "/topics/" + name;
  }

  public static String subscription(String name) {
    return "projects/" + PROJECT + "/subscriptions/" + name;
  }

  public void createTopic(String name) {
    unchecked(() -> admin.createTopic(name));
  }

  /** Creates a subscription on {@code topicName} with a 10 s acknowledgement deadline. */
  public void createSubscription(String name, String topicName) {
    unchecked(() -> admin.createSubscription(name, topicName, 10));
  }

  /** Publishes {@code messages}; returns their message IDs. */
  public List<String> publish(String topicName, List<PubsubMessage> messages) {
    try {
      return admin.publish(topicName, messages);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pulls and acknowledges what {@code subscriptionName} has now (up to 1000 messages). */
  public List<PubsubMessage> pull(String subscriptionName) {
    try {
      return admin.pull(subscriptionName, 1000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void unchecked(IoAction action) {
    try {
      action.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
