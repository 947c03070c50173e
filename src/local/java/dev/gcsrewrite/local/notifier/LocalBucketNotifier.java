package dev.gcsrewrite.local.notifier;

import dev.gcsrewrite.location.LocalGenerations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes, for buckets that are folders, the notifications Cloud Storage would publish: the local
 * stack has no Cloud Storage to send them, and the pipeline must be fed exactly what it gets in
 * production.
 *
 * <p>It watches one bucket root: every direct subfolder is a bucket, every file below a bucket
 * folder an object named by its relative path with {@code /}. Files directly in the root belong to
 * no bucket. Nothing inside a bucket is ignored, outputs and FileIO's {@code .temp-beam*} folders
 * included: Cloud Storage notifies every object, and deciding what to skip is the pipeline's job.
 *
 * <ul>
 *   <li>A file that appears or changes (size or modification time) is announced with
 *       OBJECT_FINALIZE once it is stable: the same size and time on two consecutive scans, so a
 *       file still being written is not announced half-written.
 *   <li>Its generation is the modification time in microseconds, or the previous generation of the
 *       name plus one when that would not be greater, so the generations of a name always grow (see
 *       {@link Generations#next}).
 *   <li>A changed file's OBJECT_FINALIZE carries {@code overwroteGeneration}, and is followed by an
 *       OBJECT_DELETE of the replaced generation with {@code overwrittenByGeneration}, as Cloud
 *       Storage sends for a bucket without object versioning.
 *   <li>A file that disappears is announced with OBJECT_DELETE of its last generation.
 *   <li>Each announced generation's content is kept in the bucket's {@link LocalGenerations} store
 *       (a hard link made before the checksums are computed from it), and dropped when the
 *       generation is replaced or deleted, unless the bucket is versioned: the pipeline reads
 *       exactly the notified generation, as it does on Cloud Storage.
 *   <li>Every notification is published {@code duplicates} times, as at-least-once delivery may do,
 *       so that a local run shows duplicates being dropped.
 *   <li>A file already there at start gets the generation the store keeps it as ({@link
 *       LocalGenerations#current}), the same a restarted notifier or the reconcile command gives
 *       it. By default it is announced once stable, as work put there beforehand. A notifier built
 *       with {@link Builder#adoptPresentFiles()} announces none of them and lists them in {@link
 *       #adopted()}: the local stack recovering a killed run hands them to the reconcile command,
 *       which settles each one by its Redis records (processed or not, announced or not) instead of
 *       guessing here.
 * </ul>
 *
 * <p>It polls rather than using a {@code WatchService}: polling is recursive, behaves the same on
 * every platform and file system, and has no event queue to overflow. {@link #start()} polls on a
 * daemon thread; {@link #scanOnce()} runs one scan synchronously, for tests. A failed publish is
 * logged and retried on the next scan. State lives in memory only.
 */
public final class LocalBucketNotifier implements AutoCloseable {
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

  private static final Logger LOG = LoggerFactory.getLogger(LocalBucketNotifier.class);

  private final Path bucketRoot;
  private final BucketFolders folders;
  private final Duration pollInterval;
  private final boolean adoptPresentFiles;
  private final Clock clock;
  private final AnnouncementQueue queue;

  // Scan state, guarded by this.
  private SortedMap<ObjectKey, FileState> previousScan = new TreeMap<>();
  private final Map<ObjectKey, Live> live = new HashMap<>();
  // Kept after a file is deleted too, so a name recreated later still gets a greater generation.
  private final Map<ObjectKey, Long> lastGenerations = new HashMap<>();
  private @Nullable Set<ObjectKey> undecidedSinceStart;
  private final Map<ObjectKey, FileState> unreadable = new HashMap<>();
  private final List<StoredObject> adopted = new ArrayList<>();
  private @Nullable String lastScanFailure;

  private final Object lifecycle = new Object();
  private final CountDownLatch closing = new CountDownLatch(1);
  private @Nullable Thread poller; // guarded by lifecycle

  /**
   * The generation of a name that is currently in its bucket, and the file state it was read at.
   */
  private record Live(StoredObject object, FileState state) {}

  private LocalBucketNotifier(Builder builder) {
    this.bucketRoot = builder.bucketRoot;
    this.folders = new BucketFolders(builder.bucketRoot);
    this.pollInterval = builder.pollInterval;
    this.adoptPresentFiles = builder.adoptPresentFiles;
    this.clock = builder.clock;
    this.queue = new AnnouncementQueue(builder.publisher, builder.duplicates);
  }

  /** A notifier for the buckets below {@code bucketRoot}, publishing to {@code publisher}. */
  public static Builder builder(Path bucketRoot, NotificationPublisher publisher) {
    return new Builder(bucketRoot, publisher);
  }

  /** Starts polling on a daemon thread, a scan every poll interval until {@link #close()}. */
  public void start() {
    synchronized (lifecycle) {
      if (closing.getCount() == 0) {
        throw new IllegalStateException("the notifier is closed");
      }
      if (poller != null) {
        throw new IllegalStateException("the notifier is already started");
      }
      poller = new Thread(this::pollUntilClosed, "local-bucket-notifier");
      poller.setDaemon(true);
      poller.start();
    }
    LOG.info("Watching buckets below {} every {} ms", bucketRoot, pollInterval.toMillis());
  }

  /**
   * Scans the buckets once, decides what to announce, and publishes everything waiting (including
   * what earlier scans failed to publish). Never throws for file system or publish trouble: that is
   * logged, and the next scan tries again.
   */
  public synchronized void scanOnce() {
    SortedMap<ObjectKey, FileState> files;
    try {
      files = folders.scan();
      lastScanFailure = null;
    } catch (IOException e) {
      // A scan that failed says nothing about deletions; keep the state and try again next time.
      String failure = e.toString();
      if (!failure.equals(lastScanFailure)) {
        LOG.warn("Could not scan {}; retrying on every scan: {}", bucketRoot, failure);
        lastScanFailure = failure;
      }
      queue.publish();
      return;
    }
    if (undecidedSinceStart == null) {
      undecidedSinceStart = new HashSet<>(files.keySet());
    } else {
      undecidedSinceStart.retainAll(files.keySet());
    }
    for (Map.Entry<ObjectKey, FileState> file : files.entrySet()) {
      ObjectKey key = file.getKey();
      FileState now = file.getValue();
      Live current = live.get(key);
      if (current != null && current.state().sameVersionAs(now)) {
        continue;
      }
      FileState before = previousScan.get(key);
      if (before != null && before.sameVersionAs(now)) {
        written(key, now, current);
      }
    }
    for (ObjectKey key : new TreeSet<>(live.keySet())) {
      if (!files.containsKey(key)) {
        StoredObject gone = live.remove(key).object();
        forget(gone);
        queue.add(Announcement.deleted(gone, clock.instant(), null));
      }
    }
    unreadable.keySet().retainAll(files.keySet());
    previousScan = files;
    queue.publish();
  }

  /** A stable file that is new or differs from the live generation of its name. */
  private void written(ObjectKey key, FileState state, @Nullable Live current) {
    boolean presentAtStart =
        current == null && Objects.requireNonNull(undecidedSinceStart).contains(key);
    Long generation =
        presentAtStart
            ? storedGeneration(key, state)
            : Long.valueOf(Generations.next(state.modified(), lastGenerations.get(key)));
    StoredObject object = generation == null ? null : read(key, state, generation);
    if (object == null) {
      return;
    }
    undecidedSinceStart.remove(key);
    lastGenerations.put(key, object.generation());
    live.put(key, new Live(object, state));
    if (presentAtStart && adoptPresentFiles) {
      adopted.add(object);
      LOG.debug("{} was there at start; adopted, not announced", object);
      return;
    }
    Long replaced = current == null ? null : current.object().generation();
    queue.add(Announcement.finalized(object, replaced));
    if (current != null) {
      // The overwrite deleted the old generation at the moment the new one was created.
      forget(current.object());
      queue.add(Announcement.deleted(current.object(), object.created(), object.generation()));
    }
  }

  /**
   * The generation of a file found at start, as the store keeps it (kept now if new); null, to try
   * again next scan, if it cannot be had.
   */
  private @Nullable Long storedGeneration(ObjectKey key, FileState state) {
    try {
      return LocalGenerations.current(
          bucketRoot,
          key.bucket(),
          key.name(),
          state.path(),
          Generations.next(state.modified(), null));
    } catch (IOException e) {
      if (!state.equals(unreadable.put(key, state))) {
        LOG.warn("Could not keep {}; retrying on every scan: {}", state.path(), e.toString());
      }
      return null;
    }
  }

  /**
   * The generation is gone from its bucket (replaced or deleted): unless versioned, its content.
   */
  private void forget(StoredObject generation) {
    try {
      LocalGenerations.replaced(
          bucketRoot, generation.bucket(), generation.name(), generation.generation());
    } catch (IOException e) {
      LOG.warn("Could not forget {} in the generation store: {}", generation, e.toString());
    }
  }

  /**
   * Reads size and checksums, or returns null if the file vanished, could not be read, or changed
   * while being read; in every case a later scan will see what it has become.
   */
  private @Nullable StoredObject read(ObjectKey key, FileState state, long generation) {
    Path kept = LocalGenerations.path(bucketRoot, key.bucket(), key.name(), generation);
    try {
      // Keep this generation's content first (a hard link to the file as it is), then describe
      // what was kept: the checksums announced are those of the content the pipeline will read.
      LocalGenerations.keep(bucketRoot, key.bucket(), key.name(), generation, state.path());
      StoredObject object = StoredObject.read(kept, key.bucket(), key.name(), generation);
      BasicFileAttributes after =
          Files.readAttributes(state.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      FileState afterRead = new FileState(state.path(), after.size(), after.lastModifiedTime());
      if (!afterRead.sameVersionAs(state) || object.size() != state.size()) {
        Files.deleteIfExists(kept);
        return null;
      }
      unreadable.remove(key);
      return object;
    } catch (NoSuchFileException e) {
      deleteQuietly(kept);
      return null;
    } catch (IOException e) {
      deleteQuietly(kept);
      if (!state.equals(unreadable.put(key, state))) {
        LOG.warn("Could not read {}; retrying on every scan: {}", state.path(), e.toString());
      }
      return null;
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("Could not delete {}: {}", file, e.toString());
    }
  }

  private void pollUntilClosed() {
    try {
      do {
        try {
          scanOnce();
        } catch (RuntimeException e) {
          // The poller must outlive a bug in one scan; the next scan starts from the same state.
          LOG.error("Scan of {} failed", bucketRoot, e);
        }
      } while (!closing.await(pollInterval.toNanos(), TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops polling, waits for a scan in progress to finish, and makes a last attempt to publish what
   * is waiting; anything still unpublished then is logged as lost.
   */
  @Override
  public void close() {
    closing.countDown();
    Thread running;
    synchronized (lifecycle) {
      running = poller;
    }
    if (running != null) {
      boolean interrupted = false;
      while (running.isAlive()) {
        try {
          running.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      queue.publish();
      if (queue.waiting() > 0) {
        LOG.error("Closed with {} notification(s) never published", queue.waiting());
      }
    }
  }

  /**
   * The generations found at start and adopted without a notification (only with {@link
   * Builder#adoptPresentFiles()}), in the order they were adopted.
   */
  public synchronized List<StoredObject> adopted() {
    return List.copyOf(adopted);
  }

  /** OBJECT_FINALIZE notifications published so far, each counted once whatever the duplicates. */
  public long finalizesPublished() {
    return queue.finalizes();
  }

  /** OBJECT_DELETE notifications published so far, each counted once. */
  public long deletesPublished() {
    return queue.deletes();
  }

  /** Pub/Sub messages published so far, duplicates included. */
  public long messagesPublished() {
    return queue.messages();
  }

  /** Notifications decided on but not published yet (their publish failed). */
  public int awaitingPublish() {
    return queue.waiting();
  }

  /** Settings of a {@link LocalBucketNotifier}; every one but the root and publisher optional. */
  public static final class Builder {
    private final Path bucketRoot;
    private final NotificationPublisher publisher;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int duplicates = 1;
    private boolean adoptPresentFiles;
    private Clock clock = Clock.systemUTC();

    private Builder(Path bucketRoot, NotificationPublisher publisher) {
      this.bucketRoot = Objects.requireNonNull(bucketRoot, "bucketRoot");
      this.publisher = Objects.requireNonNull(publisher, "publisher");
    }

    /** Time between scans of the polling thread; default {@link #DEFAULT_POLL_INTERVAL}. */
    public Builder pollInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("poll interval must be positive, not " + interval);
      }
      this.pollInterval = interval;
      return this;
    }

    /** How many times each notification is published (at least 1, the default). */
    public Builder duplicates(int copies) {
      if (copies < 1) {
        throw new IllegalArgumentException("duplicates must be at least 1, not " + copies);
      }
      this.duplicates = copies;
      return this;
    }

    /**
     * Announces none of the files found at start, only what changes after; they are listed in
     * {@link #adopted()} for whoever settles them (the reconcile command). Without this, every file
     * found at start is announced.
     */
    public Builder adoptPresentFiles() {
      this.adoptPresentFiles = true;
      return this;
    }

    /** The clock giving deletion times of removed files; default the system clock. */
    public Builder clock(Clock deletionClock) {
      this.clock = Objects.requireNonNull(deletionClock, "clock");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the bucket root is not a folder: a mistyped root would
     *     otherwise look like an empty one, and nothing would ever be announced
     */
    public LocalBucketNotifier build() {
      if (!Files.isDirectory(bucketRoot)) {
        throw new IllegalArgumentException("bucket root " + bucketRoot + " is not a folder");
      }
      return new LocalBucketNotifier(this);
    }
  }
}
