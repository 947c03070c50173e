package dev.gcsrewrite.soak;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/**
 * A short soak in {@code mvn verify}: three minutes of the seeded workload on the bundled jar, the
 * faults of seed 19 one after another every 5 to 10 s (each kind once before any kind twice), then
 * every invariant checked. The table it prints is in the test's output file; {@code
 * target/soak-it/table.md} keeps it, the pipelines' logs are in {@code target/soak-it/logs}.
 */
public class FaultInjectionSoakIT {
  @Test
  public void threeMinutesOfFaultsBreakNoInvariant() throws Exception {
    Soak.Result result =
        Soak.run(
            SoakArgs.parse(
                List.of(
                    "--seed=19",
                    "--minutes=3",
                    "--fault-kinds=all",
                    "--fault-gap=5-10",
                    "--warm-up=10",
                    "--work-dir=target/soak-it",
                    "--report=target/soak-it/table.md")),
            System.out);
    long injected = result.faults().values().stream().mapToLong(Long::longValue).sum();
    assertTrue("faults injected: " + result.faults() + "\n" + result.table(), injected >= 3);
    assertEquals(result.table(), List.of(), result.violations());
  }
}
