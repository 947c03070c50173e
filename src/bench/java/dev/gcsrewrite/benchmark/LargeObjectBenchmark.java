package dev.gcsrewrite.benchmark;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.local.Folders;
import dev.gcsrewrite.testing.Counters;
import dev.gcsrewrite.testing.DiscardingTopics;
import dev.gcsrewrite.testing.Notifications;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessage;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubMessageWithAttributesAndMessageIdCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * The memory contract end to end: one object of several GiB through the real graph (parse, dedupe,
 * the Redis claim, FileIO with the rewriting sink) on the DirectRunner, in a JVM whose heap is far
 * smaller than the object. Not a test (surefire skips {@code *Benchmark}); run it with {@code mvn
 * -B -q test-compile exec:exec@large-object-benchmark [-Dbench.objectGib=N]}.
 *
 * <p>Prints the object size, the time and throughput of the whole run (including Beam's start and
 * FileIO's rename), the peak heap used (sampled every 20 ms) against the maximum heap, and checks
 * the output byte for byte: every {@code AWS} of the source is {@code GCP} there and every other
 * byte is unchanged. Files live under {@code target/large-object-benchmark} and are deleted after.
 */
public final class LargeObjectBenchmark {
  private static final long MIB = 1L << 20;
  private static final String OBJECT = "big/seed-content.txt";

  private LargeObjectBenchmark() {}

  public static void main(String[] args) throws Exception {
    double gib = Double.parseDouble(System.getProperty("bench.objectGib", "2"));
    Path root = Path.of(System.getProperty("bench.dir", "target/large-object-benchmark"));
    Folders.deleteTree(root);
    Path source = root.resolve("buckets").resolve(Notifications.BUCKET).resolve(OBJECT);
    Path processed = root.resolve("processed");
    long size = writeSource(source, (long) (gib * 1024 * MIB));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.out.printf(
        Locale.ROOT,
        "object: %,d bytes (%.2f GiB) of seed content; max heap %d MiB%n",
        size,
        size / (double) (1024 * MIB),
        memory.getHeapMemoryUsage().getMax() / MIB);

    AtomicLong peakHeap = new AtomicLong();
    PipelineResult result;
    double seconds;
    try (LocalRedis redis = new LocalRedis().open()) {
      Thread sampler = heapSampler(memory, peakHeap);
      long start = System.nanoTime();
      result = runPipeline(root, processed, size, redis.port());
      seconds = (System.nanoTime() - start) / 1e9;
      sampler.interrupt();
    }

    Path output = processed.resolve(OBJECT + ".processed");
    long replacements = verify(source, output);
    System.out.printf(
        Locale.ROOT,
        "pipeline: %.1f s end to end, %.0f MB/s; %,d replacements counted by the sink, %,d found"
            + " in the output; peak heap used %d MiB of %d MiB%n",
        seconds,
        size / seconds / 1e6,
        Counters.get(result, "replacements"),
        replacements,
        peakHeap.get() / MIB,
        memory.getHeapMemoryUsage().getMax() / MIB);
    System.out.println("output verified byte for byte against the source");
    Folders.deleteTree(root);
  }

  private static PipelineResult runPipeline(Path root, Path processed, long size, int redisPort) {
    GcsRewriteOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--inputSubscription=projects/bench/subscriptions/work",
                "--bucketRoot=" + root.resolve("buckets"),
                "--processedBucket=" + processed,
                "--processingTopic=projects/bench/topics/processing",
                "--completeTopic=projects/bench/topics/complete",
                "--deadLetterTopic=projects/bench/topics/dead-letters",
                "--jobName=large-object-benchmark",
                "--redisHost=127.0.0.1",
                "--redisPort=" + redisPort)
            .as(GcsRewriteOptions.class);
    JobSettings settings = JobSettings.from(options);
    Pipeline pipeline = Pipeline.create(options);
    PubsubMessage notification = Notifications.newObject(OBJECT, 1763630102412883L, size, "m1");
    PCollection<PubsubMessage> messages =
        pipeline.apply(
            "ReadNotifications",
            Create.timestamped(TimestampedValue.of(notification, Instant.now()))
                .withCoder(PubsubMessageWithAttributesAndMessageIdCoder.of()));
    GcsRewritePipeline.buildPipeline(messages, settings, new DiscardingTopics());
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }

  /** Writes {@code size} bytes of seed content by repeating a 32 MiB block (off-heap). */
  private static long writeSource(Path source, long size) throws IOException {
    Files.createDirectories(source.getParent());
    ByteBuffer block = SeedContent.block(32 * MIB, 42L);
    long written = 0;
    try (FileChannel out =
        FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (written < size) {
        ByteBuffer chunk = block.duplicate().clear();
        chunk.limit((int) Math.min(chunk.capacity(), size - written));
        while (chunk.hasRemaining()) {
          written += out.write(chunk);
        }
      }
    }
    return written;
  }

  /**
   * Reads source and output side by side: equal lengths, and every difference is an {@code AWS} of
   * the source that reads {@code GCP} in the output. Returns the number of replacements.
   */
  private static long verify(Path source, Path output) throws IOException {
    if (Files.size(source) != Files.size(output)) {
      throw new AssertionError(
          "output has " + Files.size(output) + " bytes, source " + Files.size(source));
    }
    long replacements = 0;
    long offset = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(source), 1 << 20);
        InputStream out = new BufferedInputStream(Files.newInputStream(output), 1 << 20)) {
      // Source bytes of a possible "AWS" seen so far, and whether the output diverged there.
      int matched = 0;
      int a;
      while ((a = in.read()) >= 0) {
        int b = out.read();
        byte expectedAws = (byte) "AWS".charAt(matched);
        if (a == expectedAws && b == "GCP".charAt(matched)) {
          matched++;
          if (matched == 3) {
            replacements++;
            matched = 0;
          }
        } else if (matched == 0 && a == b) {
          // unchanged byte
        } else {
          throw new AssertionError("output differs from the expected rewrite at byte " + offset);
        }
        offset++;
      }
      if (matched != 0) {
        throw new AssertionError("output ends inside a replacement");
      }
    }
    return replacements;
  }

  private static Thread heapSampler(MemoryMXBean memory, AtomicLong peak) {
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    return sampler;
  }
}
