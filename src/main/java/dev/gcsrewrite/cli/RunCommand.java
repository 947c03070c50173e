package dev.gcsrewrite.cli;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.InvalidOptionException;
import java.io.PrintStream;
import java.util.List;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code run} (the default command): checks the options and starts the streaming pipeline. The flex
 * template's launcher calls the jar with options only, which selects this command.
 */
final class RunCommand implements Command {

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "start the streaming pipeline (the default: options alone mean run)";
  }

  @Override
  public String synopsis() {
    return "gcs-rewrite [run] --inputSubscription=... --processedBucket=... --processingTopic=..."
        + " --completeTopic=... --deadLetterTopic=... --redisHost=... [options]";
  }

  @Override
  public void printHelp(PrintStream out) {
    out.println("usage: " + synopsis());
    out.println();
    PipelineOptionsFactory.printHelp(out, GcsRewriteOptions.class);
    out.println(
        "Runner options (--runner, --project, --region, ...) are Beam's: see"
            + " --help=DataflowPipelineOptions or --help=DirectOptions.");
  }

  @Override
  public ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    boolean local;
    PipelineResult result;
    try {
      GcsRewriteOptions options = OptionArgs.parse(args);
      local = LocalRuns.prepare(options);
      result = GcsRewritePipeline.run(options);
    } catch (InvalidOptionException | OptionArgs.BadArguments e) {
      err.println("gcs-rewrite: " + OptionArgs.firstLine(e));
      return ExitCode.USAGE;
    }
    if (local) {
      try {
        result.waitUntilFinish();
      } catch (PipelineExecutionException e) {
        // The whole trace is for the operator's log; the last line says what ended the job.
        e.printStackTrace(err);
        err.println("gcs-rewrite: the pipeline failed: " + OptionArgs.firstLine(rootCause(e)));
        return ExitCode.FAILED;
      }
    }
    return ExitCode.OK;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
