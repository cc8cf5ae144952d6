package io.delegatebroker.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.loadtest.sim.RevokeUnderLoad;
import org.junit.jupiter.api.Test;

/**
 * CI smoke of RevokeUnderLoad on a single in-JVM node: 100 sessions of a token that gets revoked and 100 of one
 * that does not. Besides the broker's revocation, this keeps the close-code observation working (CloseCodeRecorder
 * depends on Gatling's DEBUG lines; a Gatling upgrade that changes them fails here, not silently in a benchmark).
 */
class RevokeUnderLoadSmokeIT {

  @Test
  void revokeClosesEveryVictimWith4001AndNoSurvivor() throws Exception {
    try (SmokeNode node = new SmokeNode(2)) {
      node.property("victims", "100")
          .property("survivors", "100")
          .property("instancesPerDelegate", "4")
          .property("rampSeconds", "3")
          .property("settleSeconds", "2")
          .property("graceSeconds", "2");
      int status = node.gatling(RevokeUnderLoad.class, "CI smoke: RevokeUnderLoad against one in-JVM node");
      assertEquals(0, status, "RevokeUnderLoad failed (Gatling status " + status + "): see its assertion lines and "
          + "REVOKE_RESULT in the test output, and the report in " + SmokeNode.resultsFolder());
    }
  }
}
