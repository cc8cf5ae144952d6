package io.delegatebroker.broker.soak;

import java.util.List;

/** Whether the soak's cluster is whole: every node answers {@code /health/ready} 200 and lists the three members. */
final class ClusterWatch {

  private final List<NodeSlot> nodes;
  private final SoakAdmin admin;

  ClusterWatch(List<NodeSlot> nodes, SoakAdmin admin) {
    this.nodes = nodes;
    this.admin = admin;
  }

  boolean healthy() {
    for (NodeSlot n : nodes) {
      if (n.state() != NodeSlot.State.UP || admin.get(n, "/health/ready").status() != 200) {
        return false;
      }
      SoakAdmin.Answer c = admin.get(n, "/v1/cluster");
      if (c.status() != 200 || c.json().getJsonArray("nodes").size() != nodes.size()) {
        return false;
      }
    }
    return true;
  }

  /** Polls until healthy; returns the milliseconds it took, or -1 after the timeout. */
  long awaitHealthy(long timeoutMillis) {
    long t0 = SoakClock.now();
    while (SoakClock.now() - t0 < timeoutMillis) {
      if (healthy()) {
        return SoakClock.now() - t0;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
    return -1;
  }

  /** Sessions each node reports in {@code /v1/cluster}, as seen from the first node. */
  long sessions() {
    SoakAdmin.Answer c = admin.get(nodes.get(0), "/v1/cluster");
    if (c.status() != 200) {
      return -1;
    }
    return c.json().getJsonArray("nodes").stream().mapToLong(o -> ((io.vertx.core.json.JsonObject) o)
        .getLong("sessions", 0L)).sum();
  }
}
