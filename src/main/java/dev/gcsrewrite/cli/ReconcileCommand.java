package dev.gcsrewrite.cli;

import dev.gcsrewrite.ReconcilePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import dev.gcsrewrite.config.JobSettings;
import dev.gcsrewrite.metrics.MetricsReader;
import dev.gcsrewrite.reconcile.ListingScope;
import dev.gcsrewrite.reconcile.ObjectLister;
import dev.gcsrewrite.reconcile.ReconcilePlan;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.redis.GenerationState;
import dev.gcsrewrite.redis.RedisSettings;
import dev.gcsrewrite.redis.RedisUnavailableException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * {@code reconcile}: brings every current generation of a work bucket (a prefix, a time range) to
 * its settled state, through the streaming job's own steps in a bounded run, exactly once together
 * with a streaming job that may be running; or, with {@code --dry-run}, says what it would do.
 */
final class ReconcileCommand implements Command {
  static final String SYNOPSIS =
      "gcs-rewrite reconcile --bucket=BUCKET [--prefix=PREFIX] [--updatedAfter=TIME]"
          + " [--updatedBefore=TIME] [--stopped-job=JOB]... [--dry-run] [--show=N]"
          + " [pipeline options]";

  private static final int DEFAULT_SHOW = 10;

  /** Dataflow's job names, which are also the claims' owners. */
  private static final String JOB_NAME = "[a-z]([-a-z0-9]{0,1022}[a-z0-9])?";

  private static final long PROGRESS_MILLIS = 2_000;
  private static final DateTimeFormatter JOB_SUFFIX =
      DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);

  @Override
  public String name() {
    return "reconcile";
  }

  @Override
  public String summary() {
    return "settle every current generation of a bucket (backfill, recovery); --dry-run first";
  }

  @Override
  public String synopsis() {
    return SYNOPSIS;
  }

  @Override
  public void printHelp(PrintStream out) {
    out.println("usage: " + SYNOPSIS);
    out.println();
    out.println("  Lists the bucket's live objects with their generations and sends each through");
    out.println("  the streaming job's steps as the notification Cloud Storage would have sent:");
    out.println("  settled generations are dropped by their claim, generations another job holds");
    out.println("  are waited for, the rest are claimed, written, settled and announced. Safe to");
    out.println("  run while the streaming job runs, and again (a second run finds all settled).");
    out.println();
    out.println("  --bucket=BUCKET       the work bucket (below --bucketRoot: gs:// or a folder)");
    out.println("  --prefix=PREFIX       only object names starting with PREFIX");
    out.println("  --updatedAfter=TIME   only generations updated at or after TIME (ISO-8601,");
    out.println("                        e.g. 2026-11-26T00:00:00Z)");
    out.println("  --updatedBefore=TIME  only generations updated before TIME");
    out.println(
        "  --stopped-job=JOB     a job known to be stopped (cancelled, killed; its --jobName):");
    out.println("                        its claims are taken over at once instead of waited out");
    out.println("                        for their --claimLease; repeat for several. Were the job");
    out.println("                        still running, it is as if its leases had ended: what it");
    out.println("                        is writing may be written twice, with the same bytes");
    out.println("  --dry-run             change nothing: count the generations by state in Redis");
    out.println(
        "                        (unclaimed, in flight, completed, skipped), list the first");
    out.println("  --show=N              N of each (default " + DEFAULT_SHOW + ")");
    out.println();
    out.println("  The other options are the pipeline's (gcs-rewrite help run): the same Redis,");
    out.println("  buckets, rules and topics as the streaming job; --inputSubscription may be");
    out.println("  left out. The run's job name is --jobName (or Beam's) plus -reconcile-<time>,");
    out.println("  so that its claims are never taken for the streaming job's own. Locally it");
    out.println("  prints progress and a summary; with --runner=DataflowRunner it submits a batch");
    out.println("  job and returns. Exit status: 0 done, 2 bad arguments, 3 Redis unreachable");
    out.println("  (dry run), 4 the pipeline failed.");
  }

  @Override
  public ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    Arguments parsed;
    GcsRewriteOptions options;
    try {
      parsed = Arguments.parse(args);
      options = OptionArgs.parse(parsed.pipelineArgs());
    } catch (OptionArgs.BadArguments e) {
      err.println("reconcile: " + e.getMessage());
      return ExitCode.USAGE;
    }
    if (parsed.dryRun()) {
      return dryRun(parsed, options, out, err);
    }
    if (options.getInputSubscription() == null) {
      // Required of the streaming job; a bounded run never reads it.
      options.setInputSubscription("projects/reconcile/subscriptions/unused-by-reconcile");
    }
    options.setJobName(reconcileJobName(options.getJobName()));
    JobSettings settings;
    try {
      settings = JobSettings.from(options).withStoppedJobs(parsed.stoppedJobs());
    } catch (IllegalArgumentException e) {
      err.println("reconcile: " + OptionArgs.firstLine(e));
      return ExitCode.USAGE;
    }
    if (!settings.locations().isWorkBucket(parsed.scope().bucket())) {
      err.println(
          "reconcile: bucket '"
              + parsed.scope().bucket()
              + "' is not one of --workBuckets "
              + settings.locations().workBuckets());
      return ExitCode.USAGE;
    }
    boolean local = LocalRuns.prepare(options);
    ObjectLister lister = ObjectLister.forBucketRoot(settings.locations().bucketRoot());
    long started = System.nanoTime();
    PipelineResult result = ReconcilePipeline.run(options, settings, parsed.scope(), lister);
    out.println("reconcile: " + parsed.scope() + " as job " + settings.jobName());
    if (!local) {
      out.println("reconcile: batch job submitted; its counters are on the job's page");
      return ExitCode.OK;
    }
    try {
      while (!result.getState().isTerminal()) {
        result.waitUntilFinish(Duration.millis(PROGRESS_MILLIS));
        out.println(progress(result, started));
      }
      result.waitUntilFinish();
    } catch (PipelineExecutionException e) {
      e.printStackTrace(err);
      err.println("reconcile: the pipeline failed: " + OptionArgs.firstLine(rootCause(e)));
      return ExitCode.FAILED;
    }
    printSummary(result, started, out);
    return result.getState() == PipelineResult.State.DONE ? ExitCode.OK : ExitCode.FAILED;
  }

  private static ExitCode dryRun(
      Arguments parsed, GcsRewriteOptions options, PrintStream out, PrintStream err) {
    RedisSettings redis;
    try {
      redis = JobSettings.redis(options);
    } catch (InvalidOptionException e) {
      err.println("reconcile: " + OptionArgs.firstLine(e));
      return ExitCode.USAGE;
    }
    String bucketRoot = options.getBucketRoot() == null ? "gs://" : options.getBucketRoot().trim();
    ObjectLister lister = ObjectLister.forBucketRoot(bucketRoot);
    ReconcilePlan plan;
    try (ClaimStore states = ClaimStore.forCommand(redis)) {
      plan = ReconcilePlan.make(lister, parsed.scope(), states, parsed.show());
    } catch (RedisUnavailableException e) {
      err.println("reconcile: cannot reach Redis at " + redis.address() + ": " + e.getMessage());
      return ExitCode.UNAVAILABLE;
    } catch (IOException e) {
      err.println("reconcile: cannot list " + parsed.scope() + ": " + e.getMessage());
      return ExitCode.UNAVAILABLE;
    }
    out.println(
        "reconcile --dry-run: "
            + parsed.scope()
            + " below "
            + bucketRoot
            + ", Redis "
            + redis.address()
            + " prefix '"
            + redis.keyPrefix()
            + "'");
    out.println("  listed      " + plan.listed() + " current generations");
    for (GenerationState.State state : GenerationState.State.values()) {
      out.println(String.format("  %-11s %d  %s", label(state), plan.count(state), meaning(state)));
      for (String example : plan.examples(state)) {
        out.println("      " + example);
      }
    }
    out.println(
        "  a run would process the "
            + (plan.count(GenerationState.State.UNCLAIMED)
                + plan.count(GenerationState.State.IN_FLIGHT))
            + " unclaimed and in-flight generations; nothing was changed");
    return ExitCode.OK;
  }

  private static String label(GenerationState.State state) {
    return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  private static String meaning(GenerationState.State state) {
    return switch (state) {
      case UNCLAIMED -> "(would be claimed and processed)";
      case IN_FLIGHT -> "(claimed, not settled: waited for, or taken over once its lease ends)";
      case COMPLETED -> "(settled with an output: left alone)";
      case SKIPPED -> "(settled without one, or superseded: left alone)";
    };
  }

  private static String progress(PipelineResult result, long started) {
    long listed = MetricsReader.attempted(result, "reconcileListed");
    long settled = MetricsReader.attempted(result, "duplicatesSeenByRedis");
    long claimed = MetricsReader.attempted(result, "claimed");
    long written = MetricsReader.attempted(result, "objectsCompleted");
    long waiting = MetricsReader.attempted(result, "claimsWaiting");
    long dead = MetricsReader.attempted(result, "deadLettered");
    return String.format(
        "[%5.0fs] listed %d | already settled %d | claimed %d | written %d | waited %d"
            + " | dead letters %d",
        seconds(started), listed, settled, claimed, written, waiting, dead);
  }

  private static void printSummary(PipelineResult result, long started, PrintStream out) {
    double seconds = seconds(started);
    long listed = MetricsReader.committed(result, "reconcileListed");
    long written = MetricsReader.committed(result, "objectsCompleted");
    out.println();
    out.println(String.format("Summary (%.1f s)", seconds));
    out.println("  listed           " + listed + " current generations");
    out.println(
        "  already settled  "
            + MetricsReader.committed(result, "duplicatesSeenByRedis")
            + " (their claims said so: nothing done)");
    out.println(
        "  claimed          "
            + MetricsReader.committed(result, "claimed")
            + " (after waiting for another job: "
            + MetricsReader.committed(result, "claimsWaiting")
            + ")");
    out.println(
        "  written          "
            + written
            + " outputs, settled and announced ("
            + MetricsReader.committed(result, "objectsWritten")
            + " sink writes)");
    out.println(
        "  skipped          "
            + MetricsReader.committed(result, "superseded")
            + " superseded, "
            + MetricsReader.committed(result, "skippedSourceMissing")
            + " gone before they were read, "
            + MetricsReader.committed(result, "sourceChanged")
            + " changed");
    out.println("  dead letters     " + MetricsReader.committed(result, "deadLettered"));
    out.println(
        String.format(
            "  rate             %.0f objects/s listed and settled, %.0f outputs/s",
            listed / Math.max(seconds, 0.001), written / Math.max(seconds, 0.001)));
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }

  /** The run's own job name: the claims' owner must differ from the streaming job's. */
  static String reconcileJobName(@Nullable String base) {
    String prefix = base == null || base.isBlank() ? "gcs-rewrite" : base;
    return prefix + "-reconcile-" + JOB_SUFFIX.format(Instant.now());
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /** The command's own arguments, and the rest for the pipeline's options. */
  record Arguments(
      ListingScope scope,
      boolean dryRun,
      int show,
      List<String> stoppedJobs,
      List<String> pipelineArgs) {
    static Arguments parse(List<String> args) {
      String bucket = null;
      String prefix = "";
      Instant after = null;
      Instant before = null;
      boolean dryRun = false;
      int show = DEFAULT_SHOW;
      List<String> stoppedJobs = new ArrayList<>();
      List<String> rest = new ArrayList<>();
      for (String arg : args) {
        if (arg.equals("--dry-run") || arg.equals("--dryRun")) {
          dryRun = true;
        } else if (arg.startsWith("--bucket=")) {
          bucket = value(arg);
        } else if (arg.startsWith("--prefix=")) {
          prefix = value(arg);
        } else if (arg.startsWith("--updatedAfter=")) {
          after = time(arg);
        } else if (arg.startsWith("--updatedBefore=")) {
          before = time(arg);
        } else if (arg.startsWith("--stopped-job=")) {
          String job = value(arg);
          if (!job.matches(JOB_NAME)) {
            throw new OptionArgs.BadArguments(
                "--stopped-job '" + job + "' is not a job name (lower-case letters, digits, -)");
          }
          stoppedJobs.add(job);
        } else if (arg.startsWith("--show=")) {
          String n = value(arg);
          if (!n.matches("[0-9]{1,6}")) {
            throw new OptionArgs.BadArguments("--show '" + n + "' is not a number");
          }
          show = Integer.parseInt(n);
        } else if (!arg.startsWith("--")) {
          throw new OptionArgs.BadArguments(
              "unexpected argument '" + arg + "'; usage: " + SYNOPSIS);
        } else {
          rest.add(arg);
        }
      }
      if (bucket == null || bucket.isEmpty() || bucket.contains("/")) {
        throw new OptionArgs.BadArguments("--bucket=BUCKET (a bucket name) is required");
      }
      if (after != null && before != null && !after.isBefore(before)) {
        throw new OptionArgs.BadArguments("--updatedAfter must be before --updatedBefore");
      }
      return new Arguments(
          new ListingScope(bucket, prefix, after, before), dryRun, show, stoppedJobs, rest);
    }

    private static String value(String arg) {
      return arg.substring(arg.indexOf('=') + 1);
    }

    private static Instant time(String arg) {
      try {
        return Instant.parse(value(arg));
      } catch (DateTimeParseException e) {
        throw new OptionArgs.BadArguments(
            arg.substring(0, arg.indexOf('='))
                + " '"
                + value(arg)
                + "' is not an ISO-8601 time such as 2026-11-26T00:00:00Z");
      }
    }
  }
}
