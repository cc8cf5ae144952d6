package io.delegatebroker.broker.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;
import io.delegatebroker.cluster.HazelcastConfigFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out over two Hazelcast reliable topics: commands go to every member, each member publishes its reply, and the
 * sender completes when every member that was live at send time replied (members that leave meanwhile are no longer
 * waited for) or when {@link #CONFIRM_TIMEOUT_MILLIS} passes. Only asynchronous publishes and local membership reads
 * are on the request path, so a frozen member delays nothing but its own confirmation. Listeners are loss-tolerant:
 * a member that falls behind the ring buffer keeps listening, and the store catch-up ends what it missed.
 */
public final class HazelcastCommandBus implements NodeCommandBus {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastCommandBus.class);
  static final String COMMANDS = HazelcastConfigFactory.TOPIC_PREFIX + "commands";
  static final String REPLIES = HazelcastConfigFactory.TOPIC_PREFIX + "replies";

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final Function<JsonObject, Future<JsonObject>> handler;
  private final ITopic<String> commands;
  private final ITopic<String> replies;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

  private final class Pending {
    final Set<String> waitingFor;
    final List<JsonObject> received = new ArrayList<>();
    final Promise<FanoutResult> promise = Promise.promise();
    long timer;

    Pending(Set<String> waitingFor) {
      this.waitingFor = waitingFor;
    }

    synchronized void reply(String node, JsonObject reply) {
      if (waitingFor.remove(node)) {
        received.add(reply);
      }
      completeIfDone();
    }

    synchronized void left(String node) {
      waitingFor.remove(node);
      completeIfDone();
    }

    synchronized void completeIfDone() {
      if (waitingFor.isEmpty()) {
        finish(true);
      }
    }

    synchronized void finish(boolean complete) {
      if (promise.tryComplete(new FanoutResult(List.copyOf(received), complete))) {
        vertx.cancelTimer(timer);
      }
    }
  }

  public HazelcastCommandBus(Vertx vertx, HazelcastInstance hazelcast, String nodeId,
      Function<JsonObject, Future<JsonObject>> handler) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.handler = handler;
    this.commands = hazelcast.getReliableTopic(COMMANDS);
    this.replies = hazelcast.getReliableTopic(REPLIES);
    commands.addMessageListener(new Listener(this::onCommand));
    replies.addMessageListener(new Listener(this::onReply));
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String gone = event.getMember().getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE);
        LOG.info("node {} left the cluster", gone);
        pending.values().forEach(p -> p.left(gone));
      }
    });
  }

  @Override
  public Future<FanoutResult> fanout(JsonObject command) {
    String id = UUID.randomUUID().toString();
    Pending p = new Pending(new HashSet<>(liveNodes()));
    pending.put(id, p);
    p.timer = vertx.setTimer(CONFIRM_TIMEOUT_MILLIS, t -> p.finish(false));
    String message = new JsonObject().put("id", id).put("from", nodeId).put("command", command).encode();
    commands.publishAsync(message).whenComplete((v, err) -> {
      if (err != null) {
        LOG.warn("command publish failed: {}", err.getMessage());
      }
    });
    return p.promise.future().onComplete(ar -> pending.remove(id));
  }

  private void onCommand(String raw) {
    JsonObject msg = new JsonObject(raw);
    context.runOnContext(v -> handler.apply(msg.getJsonObject("command"))
        .otherwise(t -> new JsonObject().put("error", String.valueOf(t.getMessage())))
        .onSuccess(reply -> replies.publishAsync(new JsonObject().put("id", msg.getString("id"))
            .put("to", msg.getString("from")).put("node", nodeId).put("reply", reply).encode())));
  }

  private void onReply(String raw) {
    JsonObject msg = new JsonObject(raw);
    if (!nodeId.equals(msg.getString("to"))) {
      return;
    }
    Pending p = pending.get(msg.getString("id"));
    if (p != null) {
      p.reply(msg.getString("node"), msg.getJsonObject("reply").put("node", msg.getString("node")));
    }
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public List<String> liveNodes() {
    List<String> out = new ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getAttribute(HazelcastConfigFactory.NODE_ATTRIBUTE);
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  /** Starts at the tail, tolerates loss, never terminates on errors. */
  private static final class Listener implements ReliableMessageListener<String> {
    private final java.util.function.Consumer<String> sink;

    Listener(java.util.function.Consumer<String> sink) {
      this.sink = sink;
    }

    @Override
    public void onMessage(Message<String> message) {
      try {
        sink.accept(message.getMessageObject());
      } catch (RuntimeException e) {
        LOG.warn("ignored a malformed cluster message: {}", e.getMessage());
      }
    }

    @Override
    public long retrieveInitialSequence() {
      return -1;
    }

    @Override
    public void storeSequence(long sequence) {
    }

    @Override
    public boolean isLossTolerant() {
      return true;
    }

    @Override
    public boolean isTerminal(Throwable failure) {
      return false;
    }
  }
}
