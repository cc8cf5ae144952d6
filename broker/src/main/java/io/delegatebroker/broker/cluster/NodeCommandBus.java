package io.delegatebroker.broker.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Runs a command on every live node of the cluster (this one included) and gathers their replies. Used for
 * everything that acts on live sessions, which only the node holding them can do: evictions, approvals,
 * messages and the cluster-wide session listings.
 */
public interface NodeCommandBus {

  /** How long a fan-out waits for every live node before answering with what it has. */
  long CONFIRM_TIMEOUT_MILLIS = 5000;

  /** Runs the command everywhere; never fails, never waits longer than the timeout. */
  Future<FanoutResult> fanout(JsonObject command);

  /** This node's id. */
  String nodeId();

  /** Ids of the nodes currently in the cluster, this one included. */
  List<String> liveNodes();

  /**
   * The replies that arrived in time.
   *
   * @param complete true when every node that was live when the command was sent replied
   */
  record FanoutResult(List<JsonObject> replies, boolean complete) {

    /** The sum of an integer field over all replies. */
    public int sum(String field) {
      return replies.stream().mapToInt(r -> r.getInteger(field, 0)).sum();
    }
  }
}
