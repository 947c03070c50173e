package dev.gcsrewrite.soak;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/**
 * A short soak in {@code mvn verify}: two minutes of the seeded workload on the bundled jar, the
 * faults of seed 19 one after another 1 to 3 s apart (each kind once before any kind twice: all six
 * fit in the two minutes), then every invariant checked. The table it prints is in the test's
 * output file; {@code target/soak-it/table.md} keeps it, the pipelines' logs are in {@code
 * target/soak-it/logs}.
 */
public class FaultInjectionSoakIT {
  @Test
  public void twoMinutesOfFaultsBreakNoInvariant() throws Exception {
    Soak.Result result =
        Soak.run(
            SoakArgs.parse(
                List.of(
                    "--seed=19",
                    "--minutes=2",
                    "--fault-kinds=all",
                    "--fault-gap=1-3",
                    "--warm-up=10",
                    "--work-dir=target/soak-it",
                    "--report=target/soak-it/table.md")),
            System.out);
    long injected = result.faults().values().stream().mapToLong(Long::longValue).sum();
    assertTrue("faults injected: " + result.faults() + "\n" + result.table(), injected >= 3);
    assertEquals(result.table(), List.of(), result.violations());
  }
}
