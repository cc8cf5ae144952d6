package io.delegatebroker.broker.cluster;

import io.delegatebroker.api.ops.ClusterOperations;
import io.delegatebroker.broker.cluster.command.ListSessions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/** {@code GET /v1/cluster}: the live nodes and how many sessions each holds. */
public final class ClusterService implements ClusterOperations {

  private final NodeCommandBus bus;

  public ClusterService(NodeCommandBus bus) {
    this.bus = bus;
  }

  @Override
  public Future<JsonObject> describe() {
    return bus.fanout(ListSessions.nodeCount()).map(res -> {
      Map<String, Integer> counts = new HashMap<>();
      res.replies().forEach(r -> counts.put(r.node(), r.count()));
      JsonArray nodes = new JsonArray();
      for (String id : bus.liveNodes()) {
        nodes.add(new JsonObject().put("id", id).put("sessions", counts.getOrDefault(id, 0))
            .put("self", id.equals(bus.nodeId())));
      }
      return new JsonObject().put("nodes", nodes);
    });
  }
}
