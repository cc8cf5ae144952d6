package io.delegatebroker.broker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.delegatebroker.broker.cluster.command.CommandSerialization;
import io.delegatebroker.broker.cluster.command.Lane;
import io.delegatebroker.broker.cluster.command.NodeCommand;
import io.delegatebroker.broker.session.SessionCommands;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;

/**
 * Creates the node's Vert.x, clustered over Hazelcast when cluster settings are given, and the matching
 * {@link NodeCommandBus}: local for a node alone, {@link HazelcastCommandBus} in a cluster. Adds to every Hazelcast
 * configuration (built from the variables or read from a file) what the command plane needs: the commands' serializer
 * factory, Java deserialization off, one executor per {@link Lane}, and the managed context that hands an arriving
 * command this node's sessions.
 */
public final class ClusterSupport {

  private final ClusterSettings config;
  private HazelcastInstance hazelcast;
  private volatile SessionCommands local;

  public ClusterSupport(ClusterSettings config) {
    this.config = config;
  }

  public Future<Vertx> createVertx(VertxOptions options, VertxMetricsFactory metrics) {
    if (!config.clustered()) {
      return Future.succeededFuture(Vertx.builder().with(options).withMetrics(metrics).build());
    }
    Config hz;
    try {
      hz = config.hazelcastConfig() != null
          ? HazelcastConfigFactory.fromFile(config.hazelcastConfig(), config.nodeId(), Map.of())
          : HazelcastConfigFactory.tcpIp(config.members(), config.port(), bindHost(),
              config.name(),
              config.nodeId(), Map.of());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    commandPlane(hz);
    String host = bindHost();
    if (host != null) {
      options.getEventBusOptions().setHost(host);
    }
    // The instance is created here (blocking, before any event loop runs) so the broker can use it directly.
    try {
      hazelcast = Hazelcast.newHazelcastInstance(hz);
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot join the cluster on port " + config.port()
          + ": " + e.getMessage()));
    }
    return Vertx.builder().with(options).withMetrics(metrics)
        .withClusterManager(new HazelcastClusterManager(hazelcast)).buildClustered()
        .recover(t -> {
          hazelcast.shutdown();
          return Future.failedFuture(t);
        });
  }

  private void commandPlane(Config hz) {
    CommandSerialization.configure(hz.getSerializationConfig());
    for (Lane lane : Lane.values()) {
      hz.addExecutorConfig(new ExecutorConfig(lane.executor()).setPoolSize(lane.threads()).setQueueCapacity(lane.queue()));
    }
    hz.setManagedContext(obj -> {
      if (obj instanceof NodeCommand command) {
        command.bind(local);
      }
      return obj;
    });
  }

  /** Loopback members mean a local cluster: bind everything to 127.0.0.1. */
  private String bindHost() {
    if (config.host() != null) {
      return config.host();
    }
    boolean loopback = !config.members().isEmpty() && config.members().stream()
        .allMatch(m -> m.startsWith("127.") || m.startsWith("localhost:"));
    return loopback ? "127.0.0.1" : null;
  }

  /**
   * The command bus of this node, running commands on {@code commands}; in a cluster it also announces every session
   * the index accepts to the other nodes (roaming instances, {@link InstanceClaims}).
   */
  public NodeCommandBus commandBus(Vertx vertx, SessionCommands commands, SessionIndex index) {
    if (hazelcast == null) {
      return new LocalCommandBus(commands);
    }
    this.local = commands;
    HazelcastCommandBus bus = new HazelcastCommandBus(vertx, hazelcast, config.nodeId(), config.commandDeadline());
    index.onAdded(new InstanceClaims(vertx, bus)::announce);
    return bus;
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
