package io.delegatebroker.broker.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;

/** The fan-out of a node that runs alone: the command runs here only. */
public final class LocalCommandBus implements NodeCommandBus {

  private final String nodeId;
  private final Function<JsonObject, Future<JsonObject>> handler;

  public LocalCommandBus(String nodeId, Function<JsonObject, Future<JsonObject>> handler) {
    this.nodeId = nodeId;
    this.handler = handler;
  }

  @Override
  public Future<FanoutResult> fanout(JsonObject command) {
    return handler.apply(command)
        .map(reply -> new FanoutResult(List.of(reply.put("node", nodeId)), true))
        .otherwise(t -> new FanoutResult(List.of(), false));
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> liveNodes() {
    return List.of(nodeId);
  }
}
