package io.delegatebroker.broker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.delegatebroker.broker.app.BrokerConfig;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.function.Function;

/**
 * Creates the node's Vert.x, clustered over Hazelcast when cluster settings are given, and the matching
 * {@link NodeCommandBus}: local for a node alone, reliable topics for a cluster.
 */
public final class ClusterSupport {

  private final BrokerConfig config;
  private HazelcastInstance hazelcast;

  public ClusterSupport(BrokerConfig config) {
    this.config = config;
  }

  public Future<Vertx> createVertx(VertxOptions options, VertxMetricsFactory metrics) {
    if (!config.clustered()) {
      return Future.succeededFuture(Vertx.builder().with(options).withMetrics(metrics).build());
    }
    Config hz;
    try {
      hz = config.hazelcastConfig() != null
          ? HazelcastConfigFactory.fromFile(config.hazelcastConfig(), config.nodeId(), attributes())
          : HazelcastConfigFactory.tcpIp(config.clusterMembers(), config.clusterPort(), bindHost(),
              config.clusterName(),
              config.nodeId(), attributes());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    String host = bindHost();
    if (host != null) {
      options.getEventBusOptions().setHost(host);
    }
    // The instance is created here (blocking, before any event loop runs) so the broker can use it directly.
    try {
      hazelcast = Hazelcast.newHazelcastInstance(hz);
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot join the cluster on port " + config.clusterPort()
          + ": " + e.getMessage()));
    }
    return Vertx.builder().with(options).withMetrics(metrics)
        .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered()
        .recover(t -> {
          hazelcast.shutdown();
          return Future.failedFuture(t);
        });
  }

  /** What peers need to reach this node's admin port, published as member attributes. */
  private java.util.Map<String, String> attributes() {
    return java.util.Map.of(PeerCommandBus.ADMIN_PORT_ATTRIBUTE, Integer.toString(config.adminPort()),
        PeerCommandBus.ADMIN_TLS_ATTRIBUTE, Boolean.toString(config.tls()));
  }

  /** Loopback members mean a local cluster: bind everything to 127.0.0.1. */
  private String bindHost() {
    if (config.clusterHost() != null) {
      return config.clusterHost();
    }
    boolean loopback = !config.clusterMembers().isEmpty() && config.clusterMembers().stream()
        .allMatch(m -> m.startsWith("127.") || m.startsWith("localhost:"));
    return loopback ? "127.0.0.1" : null;
  }

  public Future<NodeCommandBus> commandBus(Vertx vertx, Function<JsonObject, Future<JsonObject>> handler) {
    if (hazelcast == null) {
      return Future.succeededFuture(new LocalCommandBus(config.nodeId(), handler));
    }
    return Future.succeededFuture(new PeerCommandBus(vertx, hazelcast, config.nodeId(), config.adminKey(), config.tls(),
        handler));
  }

  /** Leaves the cluster; the instance is ours, so the Vert.x cluster manager does not shut it down. */
  public void leave() {
    if (hazelcast != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
    }
  }

  /** True while this node is a running cluster member (always true alone). */
  public boolean healthy() {
    return hazelcast == null || hazelcast.getLifecycleService().isRunning();
  }
}
