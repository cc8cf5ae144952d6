package io.delegatebroker.broker.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.delegatebroker.broker.cluster.command.Lane;
import io.delegatebroker.broker.cluster.command.NodeCommand;
import io.delegatebroker.broker.cluster.command.NodeReply;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's fan-out over Hazelcast: one {@code submitToMember} per live member (this one included) on the
 * command's lane executor. Each goes to its member's address ({@code invokeOnTarget}): no partition is involved, so a
 * frozen or lost member delays only its own answer, and the calling node keeps one deadline of
 * deadline for all of them; members that did not answer by then are {@code unconfirmed}.
 * Submitting never blocks the calling event loop (the answer comes through a callback on a Hazelcast thread, handed
 * back to the caller's context), and the members run the command on their lane's own threads, non-blocking.
 */
public final class HazelcastCommandBus implements NodeCommandBus {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastCommandBus.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final long deadlineMillis;
  private final Map<Lane, IExecutorService> executors = new EnumMap<>(Lane.class);

  /** Creates the lanes' executor proxies now, at startup, so no request ever waits for their creation. */
  public HazelcastCommandBus(Vertx vertx, HazelcastInstance hazelcast, String nodeId, Duration deadline) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.deadlineMillis = deadline.toMillis();
    for (Lane lane : Lane.values()) {
      executors.put(lane, hazelcast.getExecutorService(lane.executor()));
    }
  }

  IExecutorService executor(Lane lane) {
    return executors.get(lane);
  }

  @Override
  public Future<FanoutResult> fanout(NodeCommand command) {
    Context context = vertx.getOrCreateContext();
    Map<String, Member> targets = targets(true);
    if (targets.isEmpty()) {
      // Not even this node is a member any more (it is leaving the cluster): nobody ran the command.
      return Future.succeededFuture(new FanoutResult(List.of(), List.of(nodeId)));
    }
    Gathering gathering = new Gathering(command, targets.keySet(), deadlineMillis);
    long timer = vertx.setTimer(deadlineMillis, t -> context.runOnContext(v -> gathering.finish()));
    gathering.onFinish = () -> vertx.cancelTimer(timer);
    IExecutorService executor = executors.get(command.lane());
    targets.forEach((id, member) -> {
      try {
        executor.submitToMember(command, member, new ExecutionCallback<NodeReply>() {
          @Override
          public void onResponse(NodeReply reply) {
            context.runOnContext(v -> gathering.answered(id, reply));
          }

          @Override
          public void onFailure(Throwable t) {
            context.runOnContext(v -> gathering.failed(id, t));
          }
        });
      } catch (RuntimeException e) {
        context.runOnContext(v -> gathering.failed(id, e));
      }
    });
    return gathering.promise.future();
  }

  /** The live members that are broker nodes, by node id, optionally without this one. */
  Map<String, Member> targets(boolean withSelf) {
    Map<String, Member> out = new LinkedHashMap<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE);
      if (id != null && (withSelf || !m.localMember())) {
        out.put(id, m);
      }
    }
    return out;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> liveNodes() {
    return new ArrayList<>(targets(true).keySet());
  }

  /** The answers of one fan-out, touched only on the caller's context. */
  private static final class Gathering {
    private final NodeCommand command;
    private final long deadlineMillis;
    private final Set<String> waiting;
    private final Set<String> targets;
    private final Set<String> confirmed = new LinkedHashSet<>();
    private final List<NodeReply> replies = new ArrayList<>();
    private final Promise<FanoutResult> promise = Promise.promise();
    private Runnable onFinish = () -> { };

    Gathering(NodeCommand command, Set<String> targets, long deadlineMillis) {
      this.command = command;
      this.deadlineMillis = deadlineMillis;
      this.targets = new LinkedHashSet<>(targets);
      this.waiting = new LinkedHashSet<>(targets);
    }

    void answered(String id, NodeReply reply) {
      if (!promise.future().isComplete() && waiting.remove(id)) {
        confirmed.add(id);
        replies.add(reply);
        finishIfSettled();
      }
    }

    void failed(String id, Throwable t) {
      if (!promise.future().isComplete() && waiting.remove(id)) {
        LOG.warn("node {} did not confirm {}: {}", id, command.name(), t.toString());
        finishIfSettled();
      }
    }

    private void finishIfSettled() {
      if (waiting.isEmpty()) {
        finish();
      }
    }

    void finish() {
      if (promise.future().isComplete()) {
        return;
      }
      onFinish.run();
      List<String> unconfirmed = new ArrayList<>();
      for (String id : targets) {
        if (!confirmed.contains(id)) {
          unconfirmed.add(id);
        }
      }
      if (!unconfirmed.isEmpty()) {
        LOG.warn("{} not confirmed within {} ms by {}", command.name(), deadlineMillis, unconfirmed);
      }
      promise.complete(new FanoutResult(List.copyOf(replies), unconfirmed));
    }
  }
}
