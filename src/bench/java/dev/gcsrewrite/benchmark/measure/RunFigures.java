package dev.gcsrewrite.benchmark.measure;

import java.util.List;
import java.util.Locale;

/**
 * What one measured run of one pipeline gave, and how the throughput benchmark prints it: a block
 * per run as it ends, and tables of all runs at the end.
 *
 * @param round the round (1, 2, ...)
 * @param pipeline {@link #PASS_THROUGH} or {@link #GCS_REWRITE}
 * @param objects notifications published in the measured window
 * @param publishSeconds how long publishing them took
 * @param launchToFirstOutput from the pipeline's {@code run()} to its first (warm-up) output
 * @param seconds from the first publish to the last distinct output
 * @param ownCpu CPU seconds of this JVM (which runs the pipeline) over the window
 * @param emulatorCpu CPU seconds of the Pub/Sub emulator's process over the window
 * @param redisCpu CPU seconds of redis-server over the window
 * @param jitCpu CPU seconds of this JVM's JIT compiler threads over the window (part of {@code
 *     ownCpu}): a large figure means the code was not warm yet
 * @param gcCpu CPU seconds of this JVM's garbage collector threads over the window (part of {@code
 *     ownCpu})
 * @param redis Redis's own counters over the window and until the pipeline's Redis traffic stopped
 * @param pipelineRoundTrips the pipeline's {@code redisRoundTrips} counter over the same span
 * @param pipelineBatches the pipeline's {@code redisBatches} counter over the same span
 * @param peakHeap most heap used at any 20 ms sample in the window, bytes
 * @param peakAfterGc most heap still used after a collection in the window, bytes
 * @param collections garbage collections in the window
 * @param collectionMillis time in them
 * @param loadStart load averages before the run's warm-up
 * @param loadEnd load averages at the window's end
 * @param checks what was checked, in words
 * @param ok whether every check passed
 */
public record RunFigures(
    int round,
    String pipeline,
    int objects,
    double publishSeconds,
    double launchToFirstOutput,
    double seconds,
    double ownCpu,
    double emulatorCpu,
    double redisCpu,
    double jitCpu,
    double gcCpu,
    RedisStats.Delta redis,
    long pipelineRoundTrips,
    long pipelineBatches,
    long peakHeap,
    long peakAfterGc,
    long collections,
    long collectionMillis,
    String loadStart,
    String loadEnd,
    List<String> checks,
    boolean ok) {
  public static final String PASS_THROUGH = "pass-through";
  public static final String GCS_REWRITE = "gcs-rewrite";

  public double perSecond() {
    return objects / seconds;
  }

  private double perThousand(double cpuSeconds) {
    return cpuSeconds * 1000 / objects;
  }

  private double perObject(long count) {
    return count / (double) objects;
  }

  /** The run's figures, a few lines. */
  public void print() {
    System.out.printf(
        Locale.ROOT,
        "  %,d objects: first publish -> last output %.1f s (%.0f objects/s; publishing took %.1f"
            + " s); launch -> first output %.1f s%n",
        objects,
        seconds,
        perSecond(),
        publishSeconds,
        launchToFirstOutput);
    System.out.printf(
        Locale.ROOT,
        "  CPU over the window: this JVM %.1f s (JIT compilers %.1f s, GC %.1f s of it), emulator"
            + " %.1f s, redis-server %.2f s (per 1,000 objects: %.2f + %.2f + %.2f s)%n",
        ownCpu,
        jitCpu,
        gcCpu,
        emulatorCpu,
        redisCpu,
        perThousand(ownCpu),
        perThousand(emulatorCpu),
        perThousand(redisCpu));
    System.out.printf(
        Locale.ROOT,
        "  heap: peak used %d MiB, most used after a collection %d MiB; %d collections, %d ms%n",
        peakHeap >> 20,
        peakAfterGc >> 20,
        collections,
        collectionMillis);
    System.out.printf(
        Locale.ROOT,
        "  redis (server's counters): %s; sent %.2f and in scripts %.2f commands per object;"
            + " %,d read events (%.2f per object); %,d bytes in, %,d out; %d connections%n",
        redis.calls().isEmpty() ? "no commands" : redis.calls(),
        perObject(redis.sent()),
        perObject(redis.inScripts()),
        redis.reads(),
        perObject(redis.reads()),
        redis.bytesIn(),
        redis.bytesOut(),
        redis.connections());
    if (pipeline.equals(GCS_REWRITE)) {
      System.out.printf(
          Locale.ROOT,
          "  redis (pipeline's counters): %,d round trips in %,d batches (%.2f round trips per"
              + " object, %.2f objects per batch)%n",
          pipelineRoundTrips,
          pipelineBatches,
          perObject(pipelineRoundTrips),
          pipelineBatches == 0 ? 0 : objects / (double) pipelineBatches);
    }
    System.out.println("  checks: " + String.join("; ", checks) + (ok ? ": OK" : ": FAILED"));
    System.out.println("  load average: " + loadStart + " at start, " + loadEnd + " at end");
    System.out.println();
  }

  /** The tables of all runs: throughput, CPU and heap; then Redis, for gcs-rewrite's runs. */
  public static void printTables(List<RunFigures> runs) {
    System.out.println(
        "| round | pipeline | objects | first publish -> last output | objects/s | gcs-rewrite /"
            + " pass-through | launch -> first output | CPU s per 1,000 objects: JVM + emulator +"
            + " redis | of which JIT + GC | peak heap used (most after GC) | load average at start |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (RunFigures f : runs) {
      String ratio = "";
      if (f.pipeline.equals(GCS_REWRITE)) {
        for (RunFigures other : runs) {
          if (other.round == f.round && other.pipeline.equals(PASS_THROUGH)) {
            ratio = String.format(Locale.ROOT, "%.2f", f.perSecond() / other.perSecond());
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "| %d | %s | %,d | %.1f s | %.0f | %s | %.1f s | %.2f + %.2f + %.2f = %.2f | %.2f + %.2f | %d"
              + " MiB (%d MiB) | %s |%n",
          f.round,
          f.pipeline,
          f.objects,
          f.seconds,
          f.perSecond(),
          ratio,
          f.launchToFirstOutput,
          f.perThousand(f.ownCpu),
          f.perThousand(f.emulatorCpu),
          f.perThousand(f.redisCpu),
          f.perThousand(f.ownCpu + f.emulatorCpu + f.redisCpu),
          f.perThousand(f.jitCpu),
          f.perThousand(f.gcCpu),
          f.peakHeap >> 20,
          f.peakAfterGc >> 20,
          f.loadStart);
    }
    System.out.println();
    System.out.println(
        "| round | Redis commands per object: sent (in scripts) | Redis read events per object"
            + " (server) | Redis round trips per object (pipeline's counter) | objects per Redis"
            + " batch | Redis bytes per object in / out |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (RunFigures f : runs) {
      if (f.pipeline.equals(GCS_REWRITE)) {
        System.out.printf(
            Locale.ROOT,
            "| %d | %.2f (%.1f) | %.2f | %.2f | %.2f | %.0f / %.0f |%n",
            f.round,
            f.perObject(f.redis.sent()),
            f.perObject(f.redis.inScripts()),
            f.perObject(f.redis.reads()),
            f.perObject(f.pipelineRoundTrips),
            f.pipelineBatches == 0 ? 0 : f.objects / (double) f.pipelineBatches,
            f.redis.bytesIn() / (double) f.objects,
            f.redis.bytesOut() / (double) f.objects);
      }
    }
    System.out.println();
  }
}
