package dev.gcsrewrite.config;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.joda.time.Duration;
import org.junit.Test;

public class DurationsTest {

  @Test
  public void everyUnitAndCombinationsParse() {
    assertEquals(Duration.millis(250), Durations.parse("250ms"));
    assertEquals(Duration.standardSeconds(90), Durations.parse("90s"));
    assertEquals(Duration.standardMinutes(10), Durations.parse("10m"));
    assertEquals(Duration.standardHours(1), Durations.parse("1h"));
    assertEquals(Duration.standardDays(7), Durations.parse("7d"));
    assertEquals(Duration.standardMinutes(90), Durations.parse("1h30m"));
  }

  @Test
  public void malformedDurationsAreRejectedWithTheAcceptedForm() {
    for (String bad : new String[] {"", "10", "10x", "m10", "1.5h", "-1h", "10 m", "1H", "0s"}) {
      IllegalArgumentException e =
          assertThrows(bad, IllegalArgumentException.class, () -> Durations.parse(bad));
      assertThat(e.getMessage(), containsString("'" + bad + "'"));
    }
  }
}
