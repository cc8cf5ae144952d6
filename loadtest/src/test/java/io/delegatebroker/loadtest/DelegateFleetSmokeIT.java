package io.delegatebroker.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.broker.app.BrokerNode;
import io.delegatebroker.loadtest.sim.DelegateFleet;
import io.gatling.app.Gatling$;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CI smoke of the DelegateFleet simulation: starts a broker node in this JVM (dev mode, in-memory store, loopback,
 * free ports, 2 s heartbeats so that every delegate heartbeats several times) and runs the simulation against it
 * with Gatling in-process. Gatling's exit status is the verdict: a failed assertion (a refused connect, a missing
 * welcome, an unacknowledged heartbeat) fails the build. The report lands in loadtest/target/gatling/.
 */
class DelegateFleetSmokeIT {

  private static final String ROOT_KEY = "smoke-root-key-0123456789abcdef";

  private BrokerNode node;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void startNode() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("BROKER_DEV", "true");
    env.put("BROKER_HOST", "127.0.0.1");
    env.put("BROKER_DELEGATE_PORT", Integer.toString(freePort()));
    env.put("BROKER_ADMIN_PORT", Integer.toString(freePort()));
    env.put("BROKER_ADMIN_KEY", ROOT_KEY);
    env.put("BROKER_NODE_ID", "smoke-node");
    env.put("BROKER_HEARTBEAT_SECONDS", System.getProperty("smoke.brokerHeartbeatSeconds", "2"));
    node = new BrokerNode(BrokerConfig.fromEnv(env));
    node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    property("targets", "ws://127.0.0.1:" + env.get("BROKER_DELEGATE_PORT"));
    property("adminUrl", "http://127.0.0.1:" + env.get("BROKER_ADMIN_PORT"));
    property("adminKey", ROOT_KEY);
    property("users", System.getProperty("smoke.users", "300"));
    property("instancesPerDelegate", "3");
    property("rampSeconds", "5");
    property("holdSeconds", "8");
    // Only to prove that a failing run fails the build: a client heartbeat slower than 3 broker periods is reaped.
    property("heartbeatSeconds", System.getProperty("smoke.clientHeartbeatSeconds", "0"));
  }

  @AfterEach
  void stopNode() throws Exception {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
    if (node != null) {
      node.drain().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void fleetConnectsHeartbeatsAndClosesCleanly() {
    String results = System.getProperty("gatling.resultsFolder", Path.of("target", "gatling").toString());
    int status = Gatling$.MODULE$.fromArgs(new String[] {
        "-s", DelegateFleet.class.getName(),
        "-rf", results,
        "-rd", "CI smoke: DelegateFleet against one in-JVM node"});
    assertEquals(0, status, "Gatling run failed (status " + status + "): see the assertion lines above and the "
        + "report in " + results);
    assertEquals(0, node.sessions().size(), "every delegate closed its session at the end of the run");
  }

  private void property(String name, String value) {
    saved.putIfAbsent(name, System.getProperty(name));
    System.setProperty(name, value);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
