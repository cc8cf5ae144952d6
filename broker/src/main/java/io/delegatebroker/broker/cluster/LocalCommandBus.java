package io.delegatebroker.broker.cluster;

import io.delegatebroker.broker.cluster.command.NodeCommand;
import io.delegatebroker.broker.session.SessionCommands;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fan-out of a node that runs alone: the command runs here only, at once (it never blocks). */
public final class LocalCommandBus implements NodeCommandBus {

  private static final Logger LOG = LoggerFactory.getLogger(LocalCommandBus.class);
  private final SessionCommands local;

  public LocalCommandBus(SessionCommands local) {
    this.local = local;
  }

  @Override
  public Future<FanoutResult> fanout(NodeCommand command) {
    try {
      return Future.succeededFuture(new FanoutResult(List.of(command.applyTo(local)), List.of()));
    } catch (RuntimeException e) {
      LOG.warn("command {} failed on this node: {}", command.name(), e.toString());
      return Future.succeededFuture(new FanoutResult(List.of(), List.of(local.nodeId())));
    }
  }

  @Override
  public String nodeId() {
    return local.nodeId();
  }

  @Override
  public List<String> liveNodes() {
    return List.of(local.nodeId());
  }
}
