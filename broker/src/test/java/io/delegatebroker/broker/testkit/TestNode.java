package io.delegatebroker.broker.testkit;

import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.broker.app.BrokerNode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A broker node started in this JVM on free loopback ports, configured through the same variables as the jar. */
public final class TestNode implements AutoCloseable {

  public static final String ROOT_KEY = "test-root-key-0123456789abcdef";

  private final Map<String, String> env;
  private final BrokerNode node;
  private final int delegatePort;
  private final int adminPort;

  private TestNode(Map<String, String> env) {
    this.env = env;
    this.delegatePort = Integer.parseInt(env.get("BROKER_DELEGATE_PORT"));
    this.adminPort = Integer.parseInt(env.get("BROKER_ADMIN_PORT"));
    this.node = new BrokerNode(BrokerConfig.fromEnv(env));
  }

  /** The environment of a node on free ports; pgUrl null means the dev in-memory store. */
  public static Map<String, String> env(String pgUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("BROKER_DELEGATE_PORT", Integer.toString(Ports.free()));
    env.put("BROKER_ADMIN_PORT", Integer.toString(Ports.free()));
    env.put("BROKER_HOST", "127.0.0.1");
    env.put("BROKER_ADMIN_KEY", ROOT_KEY);
    if (pgUrl == null) {
      env.put("BROKER_DEV", "true");
    } else {
      env.put("BROKER_PG_URL", pgUrl);
    }
    return env;
  }

  public static TestNode start(Map<String, String> env) {
    TestNode n = new TestNode(env);
    try {
      n.node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not start", e);
    }
    return n;
  }

  public static TestNode memory() {
    return start(env(null));
  }

  public static TestNode postgres(TestDatabase db) {
    return start(env(db.url()));
  }

  /** A new node with the same settings (same ports, same store URL). */
  public TestNode restart() {
    close();
    return start(env);
  }

  public BrokerNode node() {
    return node;
  }

  public String nodeId() {
    return node.nodeId();
  }

  public int delegatePort() {
    return delegatePort;
  }

  public int adminPort() {
    return adminPort;
  }

  public Map<String, String> envCopy() {
    return new HashMap<>(env);
  }

  @Override
  public void close() {
    try {
      node.drain().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not stop", e);
    }
  }
}
