package io.delegatebroker.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.io.File;
import java.io.FileNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the Hazelcast configuration of a broker node. It starts from the Vert.x cluster manager's own default
 * configuration (so the event bus's maps and locks keep their settings) and changes only what the broker needs:
 * TCP-IP join to the listed members, this node's port, fast failure detection, and member attributes that name the
 * node (read locally by peers, no remote call). A full YAML/XML file ({@code BROKER_HAZELCAST_CONFIG}) replaces all of it,
 * for Kubernetes discovery and other production settings; see {@code cluster-config/README.md}.
 */
public final class HazelcastConfigFactory {

  /** Member attribute holding the broker node id, so members can be named without remote calls. */
  public static final String NODE_ATTRIBUTE = "broker.node";
  /** Member attribute the Vert.x cluster manager reads its node id from. */
  public static final String VERTX_NODE_ATTRIBUTE = "__vertx.nodeId";
  public static final String DEFAULT_CLUSTER_NAME = "delegate-broker";

  private HazelcastConfigFactory() {
  }

  /**
   * @param members     host:port of the members to join (TCP-IP)
   * @param port        this member's port
   * @param bindHost    interface to bind and announce, or null to let Hazelcast choose
   * @param clusterName members with another name never join
   */
  public static Config tcpIp(List<String> members, int port, String bindHost, String clusterName, String nodeId,
      Map<String, String> attributes) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    if (bindHost != null) {
      network.getInterfaces().setEnabled(true).addInterface(bindHost);
      config.setProperty("hazelcast.local.localAddress", bindHost);
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
    return withBrokerSettings(config, nodeId, attributes);
  }

  /** Loads a full configuration file (YAML or XML) and adds only the node's attributes and the broker's properties. */
  public static Config fromFile(String path, String nodeId, Map<String, String> attributes) {
    try {
      return withBrokerSettings(Config.loadFromFile(new File(path)), nodeId, attributes);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("BROKER_HAZELCAST_CONFIG file not found: " + path);
    }
  }

  private static Config withBrokerSettings(Config config, String nodeId, Map<String, String> attributes) {
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId);
    attributes.forEach(config.getMemberAttributeConfig()::setAttribute);
    // The Vert.x cluster manager identifies members by this attribute when it is given a ready instance.
    config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ATTRIBUTE, UUID.randomUUID().toString());
    setIfAbsent(config, "hazelcast.wait.seconds.before.join", "0");
    setIfAbsent(config, "hazelcast.heartbeat.interval.seconds", "1");
    setIfAbsent(config, "hazelcast.max.no.heartbeat.seconds", "5");
    setIfAbsent(config, "hazelcast.merge.first.run.delay.seconds", "5");
    setIfAbsent(config, "hazelcast.merge.next.run.delay.seconds", "5");
    setIfAbsent(config, "hazelcast.logging.type", "slf4j");
    // A draining node waits this long at most for its partitions to migrate before it leaves.
    setIfAbsent(config, "hazelcast.graceful.shutdown.max.wait", "15");
    setIfAbsent(config, "hazelcast.phone.home.enabled", "false");
    // The broker leaves the cluster itself after draining its sessions.
    setIfAbsent(config, "hazelcast.shutdownhook.enabled", "false");
    return config;
  }

  private static void setIfAbsent(Config config, String key, String value) {
    if (config.getProperty(key) == null) {
      config.setProperty(key, value);
    }
  }
}
