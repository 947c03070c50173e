package dev.gcsrewrite.local;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.Test;

/** The local stack's command line: pipeline options given twice, as local.conf and the user do. */
public class LocalStackArgsTest {
  @Test
  public void laterPipelineOptionReplacesTheEarlierOne() {
    LocalStackArgs args =
        LocalStackArgs.parse(
            new String[] {
              "--redis-jar=r.jar",
              "--rewriteRules=AWS=GCP",
              "--keyPrefix=gcs-rewrite-local:",
              "--files",
              "5",
              "--rewriteRules=AWS=XYZ,S3=GCS",
              "--dedupeTtl=10m"
            });

    assertEquals(
        List.of(
            "--rewriteRules=AWS=XYZ,S3=GCS", "--keyPrefix=gcs-rewrite-local:", "--dedupeTtl=10m"),
        args.pipelineArgs());
    assertEquals(Optional.of("AWS=XYZ,S3=GCS"), args.pipelineOption("rewriteRules"));
    assertEquals(Optional.empty(), args.pipelineOption("rewriteRulesFile"));
    assertEquals(5, args.files());
  }

  @Test
  public void optionNamesArePrefixFree() {
    LocalStackArgs args =
        LocalStackArgs.parse(
            new String[] {
              "--redis-jar=r.jar", "--rewriteRulesFile=/tmp/rules.txt", "--rewriteRules=A=B"
            });

    assertEquals(
        List.of("--rewriteRulesFile=/tmp/rules.txt", "--rewriteRules=A=B"), args.pipelineArgs());
    assertEquals(Optional.of("/tmp/rules.txt"), args.pipelineOption("rewriteRulesFile"));
  }

  @Test
  public void serveStatusIsOffUnlessAskedForAndTakesAnOptionalPort() {
    assertEquals(-1, LocalStackArgs.parse(new String[] {"--redis-jar=r.jar"}).serveStatusPort());
    assertEquals(
        LocalStackArgs.SERVE_STATUS_PORT,
        LocalStackArgs.parse(new String[] {"--redis-jar=r.jar", "--serve-status"})
            .serveStatusPort());
    assertEquals(
        9090,
        LocalStackArgs.parse(new String[] {"--redis-jar=r.jar", "--serve-status=9090"})
            .serveStatusPort());
    assertThrows(
        IllegalArgumentException.class,
        () -> LocalStackArgs.parse(new String[] {"--redis-jar=r.jar", "--serve-status=http"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> LocalStackArgs.parse(new String[] {"--redis-jar=r.jar", "--serve-status=6379"}));
  }
}
