package io.delegatebroker.broker.cluster;

import java.time.Duration;
import java.util.List;

/**
 * What the cluster layer needs to know of the node's configuration, so that it does not depend on the application's
 * whole {@code BrokerConfig}.
 *
 * @param members         Hazelcast members for a TCP-IP join; empty with no file means the node runs alone
 * @param port            this node's Hazelcast port
 * @param hazelcastConfig path of a Hazelcast configuration file, or null
 * @param name            the cluster name
 * @param host            the address to bind and announce, or null to choose one
 * @param nodeId          this node's stable name
 * @param commandDeadline how long a command fanned out to every node waits for their answers
 */
public record ClusterSettings(List<String> members, int port, String hazelcastConfig, String name, String host,
    String nodeId, Duration commandDeadline) {

  public ClusterSettings {
    members = List.copyOf(members);
  }

  /** True when the node joins a cluster: members or a configuration file are given. */
  public boolean clustered() {
    return !members.isEmpty() || hazelcastConfig != null;
  }
}
