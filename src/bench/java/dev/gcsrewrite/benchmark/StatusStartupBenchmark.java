package dev.gcsrewrite.benchmark;

import static dev.gcsrewrite.testing.Notifications.parsed;

import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.joda.time.Duration;

/**
 * How long one {@code status} lookup takes as an operator runs it: a fresh {@code java -jar
 * target/gcs-rewrite-bundled.jar status gs://BUCKET/OBJECT --redisHost=... --redisPort=...} against
 * a real Redis holding the object's records, wall time from start to exit, {@code bench.calls}
 * calls (5 by default) and their median.
 *
 * <p>The baseline, in the same run and alternating with it: the same lookup given one more option,
 * {@code --runner=DirectRunner}, which only Beam reads, so that the command takes Beam's road
 * (Beam's options factory, as every lookup did before the quick start). Not a test; run it after
 * {@code mvn -B -q package -DskipTests} with {@code mvn -B -q test-compile
 * exec:exec@status-startup-benchmark [-Dbench.calls=N]}.
 */
public final class StatusStartupBenchmark {
  private static final String OBJECT = "gs://work/reports/q4.txt";

  private StatusStartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.getInteger("bench.calls", 5);
    Path jar = Path.of(System.getProperty("bench.jar", "target/gcs-rewrite-bundled.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn -B -q package -DskipTests first");
    }
    try (LocalRedis redis = new LocalRedis().open()) {
      ClaimSettings job =
          new ClaimSettings("job-7", Duration.standardMinutes(10), Duration.standardDays(7));
      try (ClaimStore store = ClaimStore.forPipeline(redis.settings("gcs-rewrite:"))) {
        ClaimFixtures.complete(
            store,
            parsed("work", "reports/q4.txt", 100, "m-100"),
            job,
            "gs://out/reports/q4.txt.processed");
      }
      List<String> lookup =
          List.of(
              "java",
              "-jar",
              jar.toString(),
              "status",
              OBJECT,
              "--redisHost=127.0.0.1",
              "--redisPort=" + redis.port());
      List<String> beamsRoad = new ArrayList<>(lookup);
      beamsRoad.add("--runner=DirectRunner");
      Map<String, List<String>> commands = new LinkedHashMap<>();
      commands.put("status (quick start)", lookup);
      commands.put("status through Beam's options (before)", beamsRoad);
      String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
      Map<String, List<Long>> millis = new LinkedHashMap<>();
      commands.keySet().forEach(name -> millis.put(name, new ArrayList<>()));
      for (int i = 0; i < calls; i++) {
        for (Map.Entry<String, List<String>> command : commands.entrySet()) {
          millis.get(command.getKey()).add(wallMillis(command.getValue()));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d calls each, alternating; %d cores; load average before: %s%n%n",
          calls,
          Runtime.getRuntime().availableProcessors(),
          loadBefore);
      System.out.println("| lookup | calls (ms, sorted) | median |");
      System.out.println("| --- | --- | --- |");
      millis.forEach(
          (name, times) -> {
            List<Long> sorted = times.stream().sorted().toList();
            System.out.printf(
                Locale.ROOT,
                "| %s | %s | **%.2f s** |%n",
                name,
                sorted,
                sorted.get(sorted.size() / 2) / 1000.0);
          });
    }
  }

  /** Runs {@code command} to its end; its wall time, failing unless it found the records. */
  private static long wallMillis(List<String> command) throws Exception {
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("status did not exit: " + command);
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (process.exitValue() != 0 || !output.contains("latest completed generation 100")) {
      throw new IllegalStateException(
          "status answered " + process.exitValue() + ":\n" + output + "\nfor " + command);
    }
    return elapsed;
  }
}
