package dev.gcsrewrite.benchmark.measure;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap of this JVM over one measured window: the most used at any moment (sampled every 20 ms,
 * so garbage not yet collected counts), the most still used right after a collection (what the work
 * kept alive, at most), and the collections' count and pause time.
 */
public final class HeapWatch implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<GarbageCollectorMXBean> collectors =
      ManagementFactory.getGarbageCollectorMXBeans();
  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final long collectionsBefore;
  private final long collectionMillisBefore;
  private final Thread sampler;
  private final NotificationListener listener = this::onCollection;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final Set<String> heapPools = new HashSet<>();
  private volatile boolean closed;

  private HeapWatch() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    collectionsBefore =
        collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    collectionMillisBefore =
        collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    for (GarbageCollectorMXBean collector : collectors) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
    sampler =
        new Thread(
            () -> {
              while (!closed) {
                peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-watch");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Starts watching now. */
  public static HeapWatch start() {
    return new HeapWatch();
  }

  /** The heap's maximum size (-Xmx), in bytes. */
  public long max() {
    return memory.getHeapMemoryUsage().getMax();
  }

  /** The most heap used at any sample, in bytes. */
  public long peakUsed() {
    return peakUsed.get();
  }

  /** The most heap still used right after a collection (0 if none ran), in bytes. */
  public long peakAfterCollection() {
    return peakAfterGc.get();
  }

  /** Collections since the start, all collectors. */
  public long collections() {
    return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum()
        - collectionsBefore;
  }

  /** Time spent in collections since the start (G1: mostly pauses), in milliseconds. */
  public long collectionMillis() {
    return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum()
        - collectionMillisBefore;
  }

  /** Stops watching; the figures stay as they are. */
  @Override
  public void close() {
    closed = true;
    sampler.interrupt();
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // never added: nothing to remove
      }
    }
  }

  private void onCollection(Notification notification, Object handback) {
    if (closed
        || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
            notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    // Non-heap pools (metaspace, code cache) are in the map too: count only the heap's.
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool :
        info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    peakAfterGc.accumulateAndGet(used, Math::max);
  }
}
