package dev.gcsrewrite.local.servers;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.testing.Eventually;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The servers of a local run end with the JVM that started them, also when it is killed with
 * SIGKILL (no shutdown hook runs): a survivor would hold its port and the next run could not start.
 */
public class ChildProcessTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void serverKeepsItsOwnProcessIdAndStopsWhenClosed() throws Exception {
    Path dir = folder.newFolder().toPath();
    ChildProcess child =
        ChildProcess.start("sleeper", List.of("sleep", "600"), dir, dir.resolve("log"));
    ProcessHandle handle = ProcessHandle.of(child.pid()).orElseThrow();
    // The watchdog's shell replaces itself with the server: same process, its command once exec'd.
    Eventually.await(
        "the server itself, not a shell, has the printed pid",
        PATIENCE,
        () ->
            Optional.of("sleep")
                .equals(handle.info().command().map(c -> Path.of(c).getFileName().toString())));

    child.close();

    assertFalse(handle.isAlive());
  }

  @Test
  public void serverStopsWhenTheJvmThatStartedItIsKilled() throws Exception {
    Path dir = folder.newFolder().toPath();
    Process parent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Parent.class.getName(),
                dir.toString())
            .redirectError(dir.resolve("parent.err").toFile())
            .start();
    long serverPid;
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      serverPid = Long.parseLong(lines.readLine().trim());
    }
    ProcessHandle server = ProcessHandle.of(serverPid).orElseThrow();
    assertTrue(server.isAlive());

    // SIGKILL: the parent's shutdown hooks do not run.
    parent.destroyForcibly().waitFor();

    Eventually.await("the server ends with its parent", PATIENCE, () -> !server.isAlive());
    assertTrue(
        "the server was stopped politely (its log says SIGTERM arrived)",
        Files.readString(dir.resolve("server.log")).contains("TERM"));
  }

  /** A JVM that starts a server and waits to be killed. */
  public static final class Parent {
    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      // A server that says which signal stopped it, so the test sees the polite stop.
      ChildProcess child =
          ChildProcess.start(
              "sleeper",
              List.of("/bin/sh", "-c", "trap 'echo TERM; exit 0' TERM; while :; do sleep 1; done"),
              dir,
              dir.resolve("server.log"));
      System.out.println(child.pid());
      System.out.flush();
      // Lives until the test kills this JVM.
      new CountDownLatch(1).await();
    }
  }
}
