package io.delegatebroker.broker.cluster;

import io.delegatebroker.broker.cluster.command.NodeCommand;
import io.delegatebroker.broker.cluster.command.NodeReply;
import io.vertx.core.Future;
import java.util.List;

/**
 * Runs a command on every live node of the cluster (this one included) and gathers their replies. Used for
 * everything that acts on live sessions, which only the node holding them can do: evictions, approvals,
 * messages and the cluster-wide session listings.
 */
public interface NodeCommandBus {

  /** Runs the command everywhere; never fails, never waits longer than the timeout. */
  Future<FanoutResult> fanout(NodeCommand command);

  /** This node's id. */
  String nodeId();

  /** Ids of the nodes currently in the cluster, this one included. */
  List<String> liveNodes();

  /**
   * The replies that arrived in time.
   *
   * @param unconfirmed the nodes, live when the command was sent, that did not answer in time (or failed, or left)
   */
  record FanoutResult(List<NodeReply> replies, List<String> unconfirmed) {

    /** True when every node that was live when the command was sent answered. */
    public boolean complete() {
      return unconfirmed.isEmpty();
    }

    /** The sum of the replies' counts. */
    public int sum() {
      return replies.stream().mapToInt(NodeReply::count).sum();
    }
  }
}
