package dev.gcsrewrite.claim;

import static dev.gcsrewrite.testing.Notifications.parsed;

import dev.gcsrewrite.notification.GcsNotification;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;

/** Outcomes cross shuffles: every kind round-trips, deterministically, on any worker. */
public class OutcomeCoderTest {
  @Test
  public void everyKindOfOutcomeRoundTripsDeterministically() throws Exception {
    GcsNotification n = parsed("b", "o", 7, "m");
    Claim claim = new Claim(n, 3);
    for (Outcome outcome :
        List.of(
            Outcome.complete(claim, "gs://out/o.processed", 12),
            Outcome.skipped(claim, Outcome.SOURCE_MISSING),
            Outcome.superseded(n))) {
      CoderProperties.coderDecodeEncodeEqual(OutcomeCoder.of(), outcome);
      CoderProperties.coderDeterministic(OutcomeCoder.of(), outcome, outcome);
      CoderProperties.coderDecodeEncodeEqual(SerializableUtils.clone(OutcomeCoder.of()), outcome);
    }
  }
}
