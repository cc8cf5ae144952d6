package io.delegatebroker.loadtest;

import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.broker.app.BrokerNode;
import io.gatling.app.Gatling$;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker node started in this JVM for the CI smoke runs (dev mode, in-memory store, loopback, free ports), and
 * the plumbing to run one Gatling simulation in-process against it with system-property parameters that are put
 * back afterwards.
 */
final class SmokeNode implements AutoCloseable {

  static final String ROOT_KEY = "smoke-root-key-0123456789abcdef";

  private final BrokerNode node;
  private final Map<String, String> saved = new HashMap<>();

  SmokeNode(int heartbeatSeconds) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("BROKER_DEV", "true");
    env.put("BROKER_HOST", "127.0.0.1");
    env.put("BROKER_DELEGATE_PORT", Integer.toString(freePort()));
    env.put("BROKER_ADMIN_PORT", Integer.toString(freePort()));
    env.put("BROKER_ADMIN_KEY", ROOT_KEY);
    env.put("BROKER_NODE_ID", "smoke-node");
    env.put("BROKER_HEARTBEAT_SECONDS", Integer.toString(heartbeatSeconds));
    node = new BrokerNode(BrokerConfig.fromEnv(env));
    node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    property("targets", "ws://127.0.0.1:" + env.get("BROKER_DELEGATE_PORT"));
    property("adminUrl", "http://127.0.0.1:" + env.get("BROKER_ADMIN_PORT"));
    property("adminKey", ROOT_KEY);
  }

  BrokerNode node() {
    return node;
  }

  /** Sets a simulation parameter for this run; the previous value is restored on close. */
  SmokeNode property(String name, String value) {
    saved.putIfAbsent(name, System.getProperty(name));
    System.setProperty(name, value);
    return this;
  }

  /** Runs the simulation in this JVM; returns Gatling's status (0 = every assertion held). */
  int gatling(Class<?> simulation, String description) {
    return Gatling$.MODULE$.fromArgs(new String[] {
        "-s", simulation.getName(),
        "-rf", resultsFolder(),
        "-rd", description});
  }

  static String resultsFolder() {
    return System.getProperty("gatling.resultsFolder", Path.of("target", "gatling").toString());
  }

  @Override
  public void close() throws Exception {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
    node.drain().get(30, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
