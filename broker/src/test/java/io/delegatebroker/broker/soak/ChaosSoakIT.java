package io.delegatebroker.broker.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short chaos soak of {@code mvn verify}: three node processes on a private PostgreSQL, 30 delegates, random
 * operations and every kind of fault for at least 45 s (until each kind occurred); fails on any violation of the
 * invariants, printing the seed to replay it ({@code -Dsoak.seed=}). {@code loadtest/soak.sh} runs the same soak longer
 * and larger.
 */
class ChaosSoakIT {

  @Test
  void noInvariantBreaksUnderRandomFaults() {
    SoakSettings settings = SoakSettings.fromProperties(Duration.ofSeconds(45), 30, 2);
    // A safety net only: every phase of the soak is bounded by itself.
    SoakReport report = assertTimeoutPreemptively(settings.chaos().plusMinutes(12), () -> {
      try (ChaosSoak soak = new ChaosSoak(settings)) {
        return soak.run();
      }
    });
    String replay = " (seed " + report.seed() + ", replay with -Dsoak.seed=" + report.seed() + ")\n" + report.text();
    assertEquals(List.of(), report.violations(), "invariants broken" + replay);
    // The run must have exercised what it claims to check.
    assertEquals(4, report.faults().size(), "not every kind of fault was injected" + replay);
    assertTrue(report.evictions() > 0, "no revoked session was evicted" + replay);
    assertTrue(report.listingChecks() > 0, "no listing was compared with the clients' sockets" + replay);
  }
}
