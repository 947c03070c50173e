package dev.gcsrewrite.deadletter;

import dev.gcsrewrite.pubsub.TopicWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Beam's {@link ErrorHandler} for the pipeline's dead letters: each stage's failure output is added
 * to it, and closing it publishes them all in one step, {@value #STEP}.
 *
 * <p>Unlike Beam's own {@code PTransformErrorHandler}:
 *
 * <ul>
 *   <li>the step keeps its stable name (Dataflow updates map steps by name);
 *   <li>closing reads the whole pipeline graph and refuses while any {@link DeadLetter} collection
 *       has no path to the sink: a stage whose failures are not wired to the dead-letter topic
 *       fails the build of the graph, in every test and at launch, instead of silently dropping
 *       what it gave up on.
 * </ul>
 *
 * <pre>{@code
 * DeadLetterSink deadLetters = DeadLetterSink.publishingTo(pipeline, topic, TopicWriter.pubsub());
 * deadLetters.addErrorCollection(parsed.failures());
 * deadLetters.addErrorCollection(claims.failures());
 * deadLetters.close(); // throws, naming the step, if a failure output was left out
 * PCollection<PubsubMessage> published = deadLetters.getOutput();
 * }</pre>
 */
public final class DeadLetterSink implements ErrorHandler<DeadLetter, PCollection<PubsubMessage>> {
  private static final long serialVersionUID = 1L;

  /** The step that publishes every dead letter. */
  public static final String STEP = "PublishDeadLetters";

  private final transient Pipeline pipeline;
  private final transient PublishDeadLetters publish;
  private final transient List<PCollection<DeadLetter>> failures = new ArrayList<>();
  private transient @Nullable PCollection<PubsubMessage> published;
  private boolean closed;

  private DeadLetterSink(Pipeline pipeline, PublishDeadLetters publish) {
    this.pipeline = pipeline;
    this.publish = publish;
  }

  /** A sink for {@code pipeline}'s dead letters, published to {@code topic} with {@code writer}. */
  public static DeadLetterSink publishingTo(Pipeline pipeline, String topic, TopicWriter writer) {
    return new DeadLetterSink(pipeline, new PublishDeadLetters(topic, writer));
  }

  @Override
  public void addErrorCollection(PCollection<DeadLetter> stageFailures) {
    if (closed) {
      throw new IllegalStateException(
          "dead letters of " + producerName(stageFailures) + " added after the sink was closed");
    }
    failures.add(stageFailures);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public PCollection<PubsubMessage> getOutput() {
    if (published == null) {
      throw new IllegalStateException("the dead-letter sink is not closed yet");
    }
    return published;
  }

  /**
   * Publishes every added failure output.
   *
   * @throws IllegalStateException naming each step whose dead letters reach no consumer
   */
  @Override
  public void close() {
    if (closed) {
      throw new IllegalStateException("the dead-letter sink is already closed");
    }
    Set<String> unconnected = unconnectedFailureOutputs();
    if (!unconnected.isEmpty()) {
      throw new IllegalStateException(
          "failure outputs not connected to the dead-letter topic: "
              + String.join(", ", unconnected)
              + "; add each to the DeadLetterSink");
    }
    closed = true;
    published = PCollectionList.of(failures).apply(STEP, publish);
  }

  /**
   * The producing steps of {@link DeadLetter} collections from which no path through the graph's
   * primitive transforms leads to a collection added here. Only primitives count as consumers: a
   * composite that takes a stage's whole result (failures included) may use only part of it.
   */
  private Set<String> unconnectedFailureOutputs() {
    List<TransformHierarchy.Node> primitives = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            primitives.add(node);
          }
        });
    // Consumers come after producers, so one backward walk marks every input with a path here.
    Collections.reverse(primitives);
    Set<PValue> reaching = new HashSet<>(failures);
    for (TransformHierarchy.Node node : primitives) {
      if (node.getOutputs().values().stream().anyMatch(reaching::contains)) {
        reaching.addAll(node.getInputs().values());
      }
    }
    return primitives.stream()
        .flatMap(node -> node.getOutputs().values().stream())
        .filter(collection -> isDeadLetters(collection) && !reaching.contains(collection))
        .map(DeadLetterSink::producerName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static boolean isDeadLetters(PCollection<?> collection) {
    try {
      return collection.getCoder() instanceof DeadLetterCoder;
    } catch (IllegalStateException noCoder) {
      return false;
    }
  }

  private static String producerName(PCollection<?> collection) {
    String name = collection.getName();
    // A PCollection is named after its producer: "Step/Inner/ParDo(X).deadLetters".
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }
}
