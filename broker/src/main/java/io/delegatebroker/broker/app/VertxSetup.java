package io.delegatebroker.broker.app;

import io.delegatebroker.broker.cluster.ClusterSettings;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.concurrent.TimeUnit;

/** How a node's Vert.x is made: its options, and the settings of the cluster it joins. */
final class VertxSetup {

  private VertxSetup() {
  }

  /** Micrometer metrics with Prometheus, and a blocked-thread check that reports an event loop held over 2 s. */
  static VertxOptions options() {
    return new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        .setBlockedThreadCheckInterval(1000)
        .setMaxEventLoopExecuteTime(2)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS);
  }

  static ClusterSettings clusterSettings(BrokerConfig config) {
    return new ClusterSettings(config.clusterMembers(), config.clusterPort(), config.hazelcastConfig(),
        config.clusterName(), config.clusterHost(), config.nodeId(), config.limits().commandDeadline());
  }
}
