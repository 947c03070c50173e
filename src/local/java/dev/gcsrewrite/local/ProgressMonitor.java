package dev.gcsrewrite.local;

import dev.gcsrewrite.local.notifier.LocalBucketNotifier;
import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.metrics.MetricsReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;

/**
 * Watches a local run: the pipeline's counters (read in-process) and what reaches the audit and
 * dead-letter topics (read from their watch subscriptions), printed as one line whenever something
 * changed, and tells when all work is done.
 */
final class ProgressMonitor {
  private final PipelineResult pipeline;
  private final PubsubAdmin pubsub;
  private final LocalBucketNotifier notifier;
  private final Set<String> expected;
  private final int badMessages;
  private final PrintStream out;
  private final long started = System.nanoTime();
  private final List<PubsubMessage> completeEvents = new ArrayList<>();
  private final List<PubsubMessage> deadLetters = new ArrayList<>();
  private int processingEvents;
  private String lastLine = "";

  ProgressMonitor(
      PipelineResult pipeline,
      PubsubAdmin pubsub,
      LocalBucketNotifier notifier,
      Set<String> expected,
      int badMessages,
      PrintStream out) {
    this.pipeline = pipeline;
    this.pubsub = pubsub;
    this.notifier = notifier;
    this.expected = Set.copyOf(expected);
    this.badMessages = badMessages;
    this.out = out;
  }

  /**
   * Waits until every expected object has its complete event, every bad message its dead letter,
   * and nothing has moved for three seconds; false if the pipeline failed or {@code timeout} passed
   * first.
   */
  boolean awaitIdle(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int quietPolls = 0;
    while (System.nanoTime() < deadline) {
      if (pipeline.getState().isTerminal()) {
        out.println("the pipeline stopped: " + pipeline.getState());
        return false;
      }
      boolean changed = poll();
      boolean done = completedObjects().containsAll(expected) && deadLetters.size() >= badMessages;
      quietPolls = changed ? 0 : quietPolls + 1;
      if (done && quietPolls >= 3) {
        return true;
      }
      TimeUnit.SECONDS.sleep(1);
    }
    out.println("gave up waiting after " + timeout.toMinutes() + " minutes");
    return false;
  }

  /** Prints progress whenever something changes, until {@code stopped} is released. */
  void followUntil(CountDownLatch stopped) throws IOException, InterruptedException {
    while (!stopped.await(2, TimeUnit.SECONDS)) {
      poll();
    }
  }

  long counter(String name) {
    return MetricsReader.attempted(pipeline, name);
  }

  List<PubsubMessage> completeEvents() {
    return completeEvents;
  }

  List<PubsubMessage> deadLetters() {
    return deadLetters;
  }

  int processingEvents() {
    return processingEvents;
  }

  long distinctCompleted() {
    return completeEvents.stream()
        .filter(m -> "complete".equals(m.getAttribute("eventType")))
        .map(m -> m.getAttribute("eventId"))
        .distinct()
        .count();
  }

  /** The objects that got a complete event in this run. */
  Set<String> completedObjects() {
    return completeEvents.stream()
        .filter(m -> "complete".equals(m.getAttribute("eventType")))
        .map(m -> m.getAttribute("objectId"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Reads everything once; prints and returns true if anything changed. */
  private boolean poll() throws IOException {
    completeEvents.addAll(pubsub.pull(LocalStack.watch(LocalStack.COMPLETE_TOPIC), 1000));
    deadLetters.addAll(pubsub.pull(LocalStack.watch(LocalStack.DEAD_LETTER_TOPIC), 1000));
    processingEvents += pubsub.pull(LocalStack.watch(LocalStack.PROCESSING_TOPIC), 1000).size();
    String line =
        String.format(
            Locale.ROOT,
            "notifications %d | received %d | written %d | duplicates dropped %d | dead letters %d"
                + " | complete events %d",
            notifier.messagesPublished() + badMessages,
            counter("notificationsReceived"),
            counter("objectsCompleted"),
            counter("duplicates"),
            deadLetters.size(),
            completeEvents.size());
    if (line.equals(lastLine)) {
      return false;
    }
    lastLine = line;
    out.printf(Locale.ROOT, "[%4ds] %s%n", elapsed().toSeconds(), line);
    return true;
  }
}
