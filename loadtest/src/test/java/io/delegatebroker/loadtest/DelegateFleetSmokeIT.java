package io.delegatebroker.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.loadtest.sim.DelegateFleet;
import org.junit.jupiter.api.Test;

/**
 * CI smoke of the DelegateFleet simulation: 300 delegates (3 instances per name) against a node in this JVM with
 * 2 s heartbeats, so that every delegate heartbeats several times in its 8 s hold. Gatling's exit status is the
 * verdict: a failed assertion (a refused connect, a missing welcome, an unacknowledged heartbeat) fails the build.
 * The report lands in loadtest/target/gatling/delegatefleet-*.
 */
class DelegateFleetSmokeIT {

  @Test
  void fleetConnectsHeartbeatsAndClosesCleanly() throws Exception {
    int brokerHeartbeat = Integer.getInteger("smoke.brokerHeartbeatSeconds", 2);
    try (SmokeNode node = new SmokeNode(brokerHeartbeat)) {
      node.property("users", System.getProperty("smoke.users", "300"))
          .property("instancesPerDelegate", "3")
          .property("rampSeconds", "5")
          .property("holdSeconds", "8")
          // Only to prove that a failing run fails the build: a heartbeat slower than 3 broker periods is reaped.
          .property("heartbeatSeconds", System.getProperty("smoke.clientHeartbeatSeconds", "0"));
      int status = node.gatling(DelegateFleet.class, "CI smoke: DelegateFleet against one in-JVM node");
      assertEquals(0, status, "DelegateFleet failed (Gatling status " + status + "): see its assertion lines in the "
          + "test output and the report in " + SmokeNode.resultsFolder());
      assertEquals(0, node.node().sessions().size(), "every delegate closed its session at the end of the run");
    }
  }
}
