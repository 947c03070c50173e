package dev.gcsrewrite.cli;

import dev.gcsrewrite.ReconcilePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.metrics.MetricsReader;
import dev.gcsrewrite.reconcile.ListingScope;
import dev.gcsrewrite.reconcile.ObjectLister;
import dev.gcsrewrite.reconcile.ReconcilePlan;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.GenerationState.State;
import dev.gcsrewrite.redis.JobHeartbeat;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.RedisUnavailableException;
import dev.gcsrewrite.redis.StoppedJobs;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.apache.beam.sdk.PipelineResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code reconcile}: brings every current generation of a work bucket (a prefix, a time range) to
 * its settled state through the streaming job's own steps in a bounded run, exactly once together
 * with a streaming job that may be running; with {@code --dry-run}, says what it would do.
 */
final class ReconcileCommand extends Command {
  private static final String FLAGS =
      "bucket= prefix= updatedAfter= updatedBefore= stopped-job= show= dry-run dryRun";
  private static final int DEFAULT_SHOW = 10;

  /** Dataflow's job names, which are also the claims' owners. */
  private static final String JOB_NAME = "[a-z]([-a-z0-9]{0,1022}[a-z0-9])?";

  private static final DateTimeFormatter JOB_SUFFIX =
      DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);

  ReconcileCommand() {
    super(
        "reconcile",
        "settle every current generation of a bucket (backfill, recovery); --dry-run first",
        "gcs-rewrite reconcile --bucket=BUCKET [--prefix=PREFIX] [--updatedAfter=TIME]"
            + " [--updatedBefore=TIME] [--stopped-job=JOB]... [--dry-run] [--show=N]"
            + " [pipeline options]",
        """
          Lists the bucket's live objects with their generations and sends each through
          the streaming job's steps as the notification Cloud Storage would have sent:
          settled generations are dropped by their claim, generations another job holds
          are waited for, the rest are claimed, written, settled and announced. Safe to
          run while the streaming job runs, and again (a second run finds all settled).

          --bucket=BUCKET       the work bucket (below --bucketRoot: gs:// or a folder)
          --prefix=PREFIX       only object names starting with PREFIX
          --updatedAfter=TIME   only generations updated at or after TIME (ISO-8601,
                                e.g. 2026-11-26T00:00:00Z)
          --updatedBefore=TIME  only generations updated before TIME
          --stopped-job=JOB     a job known to be stopped (cancelled, killed; its --jobName):
                                its claims are taken over at once instead of waited out
                                for their --claimLease; repeat for several. A job whose
                                workers still beat in Redis runs, whatever its name: the
                                command waits up to %d s for a stopped job's beat to lapse,
                                and refuses (exit 5) if it beats again
          --dry-run             change nothing: count the generations by state in Redis
                                (unclaimed, in flight, completed, skipped), list the first
          --show=N              N of each (default %d)

          The other options are the pipeline's (gcs-rewrite help run): the same Redis,
          buckets, rules and topics as the streaming job; --inputSubscription may be
          left out. The run's job name is --jobName (or Beam's) plus -reconcile-<time>,
          so that its claims are never taken for the streaming job's own. Locally it
          prints progress and a summary; with --runner=DataflowRunner it submits a batch
          job and returns. Exit status: 0 done, 2 bad arguments, 3 Redis unreachable
          (dry run, --stopped-job), 4 the pipeline failed, 5 a --stopped-job runs.
        """
            .formatted(JobHeartbeat.TTL.getStandardSeconds(), DEFAULT_SHOW));
  }

  @Override
  ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments parsed = parse(args, 0, FLAGS);
    String bucket = parsed.get("bucket");
    if (bucket == null || bucket.contains("/")) {
      throw new BadArguments("--bucket=BUCKET (a bucket name) is required");
    }
    Instant after = parsed.time("updatedAfter");
    Instant before = parsed.time("updatedBefore");
    if (after != null && before != null && !after.isBefore(before)) {
      throw new BadArguments("--updatedAfter must be before --updatedBefore");
    }
    ListingScope scope =
        new ListingScope(
            bucket, Objects.requireNonNullElse(parsed.get("prefix"), ""), after, before);
    for (String job : parsed.all("stopped-job")) {
      if (!job.matches(JOB_NAME)) {
        throw new BadArguments(
            "--stopped-job '" + job + "' is not a job name (lower-case letters, digits, -)");
      }
    }
    int show = (int) Math.min(Integer.MAX_VALUE, parsed.number("show", DEFAULT_SHOW));
    GcsRewriteOptions options = parseOptions(parsed.pipelineArgs);
    if (parsed.has("dry-run") || parsed.has("dryRun")) {
      return dryRun(scope, show, options, out);
    }
    if (options.getInputSubscription() == null) {
      // Required of the streaming job; a bounded run never reads it.
      options.setInputSubscription("projects/reconcile/subscriptions/unused-by-reconcile");
    }
    options.setJobName(reconcileJobName(options.getJobName()));
    JobSettings settings;
    try {
      settings = JobSettings.from(options, parsed.all("stopped-job"));
    } catch (IllegalArgumentException e) {
      throw new BadArguments(firstLine(e));
    }
    if (!settings.locations().isWorkBucket(scope.bucket())) {
      throw new BadArguments(
          String.format(
              "bucket '%s' is not one of --workBuckets %s",
              scope.bucket(), settings.locations().workBuckets()));
    }
    refuseIfRunning(settings.redis(), parsed.all("stopped-job"), out);
    boolean local = LocalRuns.prepare(options);
    ObjectLister lister = ObjectLister.forBucketRoot(settings.locations().bucketRoot());
    long started = System.nanoTime();
    PipelineResult result = ReconcilePipeline.run(options, settings, scope, lister);
    out.println("reconcile: " + scope + " as job " + settings.jobName());
    if (!local) {
      out.println("reconcile: batch job submitted; its counters are on the job's page");
      return ExitCode.OK;
    }
    PipelineResult.State state =
        LocalRuns.await(result, "reconcile", err, () -> printProgress(result, started, out));
    if (state == null) {
      return ExitCode.FAILED;
    }
    printSummary(result, started, out);
    return state == PipelineResult.State.DONE ? ExitCode.OK : ExitCode.FAILED;
  }

  /**
   * Refuses to take over the claims of a job named stopped that runs: one of its workers still
   * beats in Redis ({@link StoppedJobs}). A job stopped moments ago is waited for until its last
   * beat lapses.
   */
  private static void refuseIfRunning(
      RedisSettings redis, List<String> stoppedJobs, PrintStream out) {
    if (stoppedJobs.isEmpty()) {
      return;
    }
    StoppedJobs.Running running;
    try (ClaimStore store = ClaimStore.forCommand(redis)) {
      running =
          StoppedJobs.findRunning(
              store,
              stoppedJobs,
              beat ->
                  out.printf(
                      "reconcile: job %s beat lately (%s); waiting up to %d s for its beat to"
                          + " lapse%n",
                      beat.job(), beat.beat(), JobHeartbeat.TTL.getStandardSeconds()));
    } catch (IOException | RedisUnavailableException e) {
      throw unreachable(redis, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(ExitCode.FAILED, "interrupted while checking the stopped jobs");
    }
    if (running != null) {
      throw new Failure(
          ExitCode.REFUSED,
          String.format(
              "job %1$s runs: one of its workers beats in Redis (%2$s), so --stopped-job=%1$s"
                  + " would take over claims it is working on. Stop the job first, or leave out"
                  + " --stopped-job=%1$s: its claims are then waited for until their leases end",
              running.job(), running.beat()));
    }
  }

  private static Failure unreachable(RedisSettings redis, Exception e) {
    return new Failure(
        ExitCode.UNAVAILABLE, "cannot reach Redis at " + redis.address() + ": " + e.getMessage());
  }

  private static ExitCode dryRun(
      ListingScope scope, int show, GcsRewriteOptions options, PrintStream out) {
    RedisSettings redis = JobSettings.redis(options);
    String bucketRoot = options.getBucketRoot() == null ? "gs://" : options.getBucketRoot().trim();
    ReconcilePlan plan;
    try (ClaimStore states = ClaimStore.forCommand(redis)) {
      plan = ReconcilePlan.make(ObjectLister.readOnly(bucketRoot), scope, states, show);
    } catch (RedisUnavailableException e) {
      throw unreachable(redis, e);
    } catch (IOException e) {
      throw new Failure(ExitCode.UNAVAILABLE, "cannot list " + scope + ": " + e.getMessage());
    }
    out.printf(
        "reconcile --dry-run: %s below %s, Redis %s prefix '%s'%n  listed      %d current"
            + " generations%n",
        scope, bucketRoot, redis.address(), redis.keyPrefix(), plan.listed());
    for (State state : State.values()) {
      out.printf(
          "  %-11s %d  %s%n",
          state.name().toLowerCase(Locale.ROOT).replace('_', ' '),
          plan.count(state),
          switch (state) {
            case UNCLAIMED -> "(would be claimed and processed)";
            case IN_FLIGHT ->
                "(claimed, not settled: waited for, or taken over once its lease ends)";
            case COMPLETED -> "(settled with an output: left alone)";
            case SKIPPED -> "(settled without one, or superseded: left alone)";
          });
      plan.examples(state).forEach(example -> out.println("      " + example));
    }
    out.printf(
        "  a run would process the %d unclaimed and in-flight generations; nothing was changed%n",
        plan.count(State.UNCLAIMED) + plan.count(State.IN_FLIGHT));
    return ExitCode.OK;
  }

  private static void printProgress(PipelineResult result, long started, PrintStream out) {
    ToLongFunction<String> counter = name -> MetricsReader.attempted(result, name);
    out.printf(
        "[%5.0fs] listed %d | already settled %d | claimed %d | written %d | waited %d"
            + " | dead letters %d%n",
        seconds(started),
        counter.applyAsLong("reconcileListed"),
        counter.applyAsLong("duplicatesSeenByRedis"),
        counter.applyAsLong("claimed"),
        counter.applyAsLong("objectsCompleted"),
        counter.applyAsLong("claimsWaiting"),
        counter.applyAsLong("deadLettered"));
  }

  private static void printSummary(PipelineResult result, long started, PrintStream out) {
    double seconds = seconds(started);
    ToLongFunction<String> counter = name -> MetricsReader.committed(result, name);
    long listed = counter.applyAsLong("reconcileListed");
    long written = counter.applyAsLong("objectsCompleted");
    out.printf(
        """

        Summary (%.1f s)
          listed           %d current generations
          already settled  %d (their claims said so: nothing done)
          claimed          %d (after waiting for another job: %d)
          written          %d outputs, settled and announced (%d sink writes)
          skipped          %d superseded, %d gone before they were read, %d changed
          dead letters     %d
          rate             %.0f objects/s listed and settled, %.0f outputs/s
        """,
        seconds,
        listed,
        counter.applyAsLong("duplicatesSeenByRedis"),
        counter.applyAsLong("claimed"),
        counter.applyAsLong("claimsWaiting"),
        written,
        counter.applyAsLong("objectsWritten"),
        counter.applyAsLong("superseded"),
        counter.applyAsLong("skippedSourceMissing"),
        counter.applyAsLong("sourceChanged"),
        counter.applyAsLong("deadLettered"),
        listed / Math.max(seconds, 0.001),
        written / Math.max(seconds, 0.001));
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }

  /** The run's own job name: the claims' owner must differ from the streaming job's. */
  static String reconcileJobName(@Nullable String base) {
    String prefix = base == null || base.isBlank() ? "gcs-rewrite" : base;
    return prefix + "-reconcile-" + JOB_SUFFIX.format(Instant.now());
  }
}
