package dev.gcsrewrite.cli;

import dev.gcsrewrite.GcsRewritePipeline;
import dev.gcsrewrite.config.GcsRewriteOptions;
import java.io.PrintStream;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code run}, the default command: checks the options and starts the streaming pipeline. The flex
 * template's launcher calls the jar with options only, which selects this command.
 */
final class RunCommand extends Command {
  RunCommand() {
    super(
        "run",
        "start the streaming pipeline (the default: options alone mean run)",
        "gcs-rewrite [run] --inputSubscription=... --processedBucket=... --processingTopic=..."
            + " --completeTopic=... --deadLetterTopic=... --redisHost=... [options]",
        "");
  }

  @Override
  void printHelp(PrintStream out) {
    out.println("usage: " + synopsis + "\n");
    PipelineOptionsFactory.printHelp(out, GcsRewriteOptions.class);
    out.println(
        "Runner options (--runner, --project, --region, ...) are Beam's: see"
            + " --help=DataflowPipelineOptions or --help=DirectOptions.");
  }

  @Override
  ExitCode run(List<String> args, PrintStream out, PrintStream err) {
    GcsRewriteOptions options = parseOptions(args);
    boolean local = LocalRuns.prepare(options);
    PipelineResult result = GcsRewritePipeline.run(options);
    boolean failed = local && LocalRuns.await(result, "gcs-rewrite", err, () -> {}) == null;
    return failed ? ExitCode.FAILED : ExitCode.OK;
  }
}
