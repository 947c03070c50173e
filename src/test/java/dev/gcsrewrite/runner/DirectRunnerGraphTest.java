package dev.gcsrewrite.runner;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class DirectRunnerGraphTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void onTheDirectRunnerEveryReshufflePassesItsElementsOnInTheirWindows() {
    // Ten elements a minute apart in ten-minute windows: 0-9 in the first, 10-19 in the second.
    List<Long> minutes = new ArrayList<>();
    for (long minute = 0; minute < 20; minute++) {
      minutes.add(minute);
    }
    PCollection<Long> shuffled =
        pipeline
            .apply(Create.of(minutes))
            .apply(
                WithTimestamps.of(minute -> new Instant(0).plus(Duration.standardMinutes(minute))))
            .apply(Window.into(FixedWindows.of(Duration.standardMinutes(10))))
            .apply("ViaRandomKey", Reshuffle.viaRandomKey())
            .apply(WithKeys.of((Long minute) -> minute % 2).withKeyType(TypeDescriptors.longs()))
            .apply("ByKey", Reshuffle.of())
            .apply(Values.create());
    PCollection<Long> perWindow =
        shuffled.apply(Combine.globally(Count.<Long>combineFn()).withoutDefaults());
    PAssert.that(shuffled).containsInAnyOrder(minutes);
    PAssert.that(perWindow).containsInAnyOrder(10L, 10L);

    assertEquals(2, reshuffleGroupings(pipeline).size());
    assertEquals(2, DirectRunnerGraph.adapt(pipeline));
    assertEquals(List.of(), reshuffleGroupings(pipeline));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void onAnyOtherRunnerTheGraphIsLeftAsItIs() {
    // Any runner but the DirectRunner; CrashingRunner needs no project to build a graph for.
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(CrashingRunner.class);
    Pipeline other = Pipeline.create(options);
    other.apply(Create.of(KV.of("a", 1), KV.of("b", 2))).apply(Reshuffle.of());

    assertEquals(0, DirectRunnerGraph.adapt(other));
    assertEquals(1, reshuffleGroupings(other).size());
  }

  /** The GroupByKeys inside a Reshuffle (PAssert and Combine have their own). */
  private static List<String> reshuffleGroupings(Pipeline pipeline) {
    List<String> found = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            if (!(node.getTransform() instanceof GroupByKey)) {
              return;
            }
            for (TransformHierarchy.Node outer = node.getEnclosingNode();
                outer != null;
                outer = outer.getEnclosingNode()) {
              if (outer.getTransform() instanceof Reshuffle) {
                found.add(node.getFullName());
                return;
              }
            }
          }
        });
    return found;
  }
}
