package dev.gcsrewrite.benchmark;

import dev.gcsrewrite.rewrite.RewriteRules;
import dev.gcsrewrite.rewrite.RewriteStats;
import dev.gcsrewrite.rewrite.TokenRewriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Locale;

/**
 * Throughput and memory of {@link TokenRewriter} on the product's tutorial workload: base64 text
 * lines carrying a token every ~500 bytes. Not a test (surefire skips {@code *Benchmark}); run it
 * with {@code mvn -B -q test-compile exec:exec@rewrite-benchmark [-Dbench.gib=N]}, which forks a
 * JVM with a 64 MiB heap: streaming gigabytes through that heap is itself the constant-memory
 * claim.
 *
 * <p>The content is generated once into a direct (off-heap) block that a channel serves over and
 * over, so that the heap figures show the rewrite alone; the output channel only counts bytes. One
 * thread, warm-up runs first. Two memory figures per run: the peak of the heap pools (coarse, as G1
 * counts young-generation use in whole regions) and the bytes the thread allocated (exact where
 * HotSpot reports it); both should be the same for a large and a small input.
 */
public final class RewriteBenchmark {
  private static final long MIB = 1L << 20;

  private RewriteBenchmark() {}

  public static void main(String[] args) throws IOException {
    double gib = Double.parseDouble(System.getProperty("bench.gib", "1"));
    int blockMib = Integer.getInteger("bench.blockMiB", 32);
    int runs = Integer.getInteger("bench.runs", 3);
    long total = (long) (gib * 1024 * MIB);
    long small = 64 * MIB;

    ByteBuffer block = SeedContent.block(blockMib * MIB, 42L);
    System.out.printf(
        Locale.ROOT,
        "content: %d MiB block of base64 lines (%d chars + LF) with a token every ~500 bytes,"
            + " served in a loop; output only counted; 1 thread; max heap %d MiB%n",
        blockMib,
        SeedContent.LINE_CHARS,
        Runtime.getRuntime().maxMemory() / MIB);

    for (String spec : List.of(RewriteRules.DEFAULT_SPEC, "AWS=GCP,Amazon=Google,S3=GCS")) {
      TokenRewriter rewriter = new TokenRewriter(RewriteRules.parse(spec));
      System.out.printf(Locale.ROOT, "%nrules %s%n", spec);
      for (int i = 0; i < 3; i++) {
        rewriter.rewrite(new LoopingChannel(block, 512 * MIB), new CountingChannel());
      }
      System.out.println("  warm-up: 3 x 512 MiB done");
      double best = 0;
      for (int i = 1; i <= runs; i++) {
        best = Math.max(best, measure(rewriter, block, total, "run " + i));
      }
      System.out.printf(Locale.ROOT, "  best: %.1f MB/s (%.2f GB/s)%n", best, best / 1000);
      measure(rewriter, block, small, "small");
    }
  }

  /** Runs one rewrite of {@code bytes} bytes, prints its figures and returns MB/s. */
  private static double measure(TokenRewriter rewriter, ByteBuffer block, long bytes, String label)
      throws IOException {
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
            .toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long heapBefore = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    long allocatedBefore = allocatedBytes();

    CountingChannel out = new CountingChannel();
    long start = System.nanoTime();
    RewriteStats stats = rewriter.rewrite(new LoopingChannel(block, bytes), out);
    double seconds = (System.nanoTime() - start) / 1e9;

    long allocated = allocatedBytes() - allocatedBefore;
    long heapPeak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    double mbPerSecond = stats.bytesIn() / seconds / 1e6;
    System.out.printf(
        Locale.ROOT,
        "  %-6s %,d bytes in, %,d out, %.3f s, %.1f MB/s (%.2f GB/s), %,d replacements;"
            + " heap peak %.1f MiB (%.1f MiB before), allocated %,d KiB%n",
        label + ":",
        stats.bytesIn(),
        out.count,
        seconds,
        mbPerSecond,
        mbPerSecond / 1000,
        stats.replacements(),
        heapPeak / (double) MIB,
        heapBefore / (double) MIB,
        allocated / 1024);
    return mbPerSecond;
  }

  /** Bytes this thread allocated so far, where HotSpot tells; -1 elsewhere. */
  private static long allocatedBytes() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (threads instanceof com.sun.management.ThreadMXBean hotspot) {
      return hotspot.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return -1;
  }

  /** Serves {@code total} bytes by repeating {@code block}. */
  private static final class LoopingChannel implements ReadableByteChannel {
    private final ByteBuffer source;
    private long remaining;

    LoopingChannel(ByteBuffer block, long total) {
      this.source = block.duplicate().clear();
      this.remaining = total;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (remaining == 0) {
        return -1;
      }
      if (!source.hasRemaining()) {
        source.clear();
      }
      int n = (int) Math.min(Math.min(dst.remaining(), source.remaining()), remaining);
      int limit = source.limit();
      source.limit(source.position() + n);
      dst.put(source);
      source.limit(limit);
      remaining -= n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Accepts and counts everything, standing in for the upload. */
  private static final class CountingChannel implements WritableByteChannel {
    long count;

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      count += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
