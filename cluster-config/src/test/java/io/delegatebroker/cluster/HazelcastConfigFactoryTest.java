package io.delegatebroker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verifies that the node's Hazelcast configuration keeps what Vert.x needs and adds what the broker needs. */
class HazelcastConfigFactoryTest {

  @Test
  void tcpIpConfigJoinsOnlyTheListedMembersAndNamesTheNode() {
    Config c = HazelcastConfigFactory.tcpIp(List.of("127.0.0.1:5701", "127.0.0.1:5702"), 5702, "127.0.0.1", "c1", "node-b",
        Map.of("broker.adminPort", "8092"));
    assertEquals("c1", c.getClusterName());
    assertEquals(5702, c.getNetworkConfig().getPort());
    assertFalse(c.getNetworkConfig().isPortAutoIncrement());
    assertFalse(c.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertTrue(c.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals("node-b", c.getMemberAttributeConfig().getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE));
    assertEquals("8092", c.getMemberAttributeConfig().getAttribute("broker.adminPort"));
    assertNotNull(c.getMemberAttributeConfig().getAttribute(HazelcastConfigFactory.VERTX_NODE_ATTRIBUTE));
    assertEquals("0", c.getProperty("hazelcast.wait.seconds.before.join"));
    // the Vert.x cluster manager's own structures keep their settings
    assertEquals(1, c.getMultiMapConfig("__vertx.subs").getBackupCount());
  }

  @Test
  void exampleFilesLoadAndKeepTheirOwnSettings() {
    Config k8s = HazelcastConfigFactory.fromFile("examples/hazelcast-kubernetes.yaml", "node-a", Map.of());
    assertTrue(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    assertEquals("5", k8s.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("node-a", k8s.getMemberAttributeConfig().getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE));
    Config lan = HazelcastConfigFactory.fromFile("examples/hazelcast-tcpip.yaml", "node-a", Map.of());
    assertEquals(3, lan.getNetworkConfig().getJoin().getTcpIpConfig().getMembers().size());
  }

  @Test
  void aMissingFileIsRefusedWithItsPath() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> HazelcastConfigFactory.fromFile("/nonexistent/hz.yaml", "n", Map.of()));
    assertTrue(e.getMessage().contains("/nonexistent/hz.yaml"));
  }
}
