package io.delegatebroker.broker.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Several broker nodes in this JVM forming a real Hazelcast cluster on loopback ports, with a cluster name unique to
 * the run so concurrent runs never join each other.
 */
public final class TestCluster implements AutoCloseable {

  private final List<TestNode> nodes;

  private TestCluster(List<TestNode> nodes) {
    this.nodes = nodes;
  }

  /** Environments of {@code n} clustered nodes sharing one store URL. */
  public static List<Map<String, String>> envs(int n, String pgUrl) {
    String clusterName = "broker-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ports.add(Ports.free());
    }
    String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<Map<String, String>> envs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, String> env = TestNode.env(pgUrl);
      env.remove("BROKER_DEV");
      if (pgUrl == null) {
        env.put("BROKER_DEV", "true");
      }
      env.put("BROKER_CLUSTER_MEMBERS", members);
      env.put("BROKER_CLUSTER_PORT", Integer.toString(ports.get(i)));
      env.put("BROKER_CLUSTER_NAME", clusterName);
      env.put("BROKER_NODE_ID", "node-" + (char) ('a' + i));
      envs.add(env);
    }
    return envs;
  }

  /** Starts the nodes concurrently and waits until each sees all of them. */
  public static TestCluster start(int n, String pgUrl) {
    return start(envs(n, pgUrl));
  }

  /** Starts nodes with the given environments (from {@link #envs}, possibly changed) concurrently. */
  public static TestCluster start(List<Map<String, String>> envs) {
    List<CompletableFuture<TestNode>> starting = envs.stream()
        .map(env -> CompletableFuture.supplyAsync(() -> TestNode.start(env)))
        .toList();
    List<TestNode> nodes = starting.stream().map(CompletableFuture::join).toList();
    return new TestCluster(new ArrayList<>(nodes));
  }

  public TestNode node(int i) {
    return nodes.get(i);
  }

  public List<TestNode> nodes() {
    return nodes;
  }

  @Override
  public void close() {
    nodes.parallelStream().forEach(n -> {
      try {
        n.close();
      } catch (RuntimeException e) {
        // already stopped
      }
    });
  }
}
