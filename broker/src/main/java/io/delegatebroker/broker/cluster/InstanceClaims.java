package io.delegatebroker.broker.cluster;

import com.hazelcast.cluster.Member;
import io.delegatebroker.broker.cluster.command.ClaimInstances;
import io.delegatebroker.broker.cluster.command.Lane;
import io.delegatebroker.broker.session.DelegateSession;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Roaming instances: every session this node accepts is announced to the other nodes, which close an older session of
 * the same account, delegate and instance with 4005, so an instance that reconnected through another node has one
 * session cluster-wide. Announcements are gathered for {@link #BATCH_MILLIS} and sent as one fire-and-forget task per
 * member on the claims lane, so a connect storm costs a few tasks, not one per connect and member.
 */
public final class InstanceClaims {

  static final long BATCH_MILLIS = 10;
  private static final int MAX_BATCH = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(InstanceClaims.class);

  private final Vertx vertx;
  private final HazelcastCommandBus bus;
  private final ConcurrentLinkedQueue<DelegateSession> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  public InstanceClaims(Vertx vertx, HazelcastCommandBus bus) {
    this.vertx = vertx;
    this.bus = bus;
  }

  /** Announces a session this node just accepted (any thread). */
  public void announce(DelegateSession s) {
    pending.add(s);
    if (scheduled.compareAndSet(false, true)) {
      vertx.setTimer(BATCH_MILLIS, t -> flush());
    }
  }

  private void flush() {
    scheduled.set(false);
    List<String> keys = new ArrayList<>();
    List<Long> stamps = new ArrayList<>();
    DelegateSession s;
    while (keys.size() < MAX_BATCH && (s = pending.poll()) != null) {
      if (!s.closed()) {
        keys.add(s.instanceKey());
        stamps.add(s.connectStamp());
      }
    }
    if (!pending.isEmpty() && scheduled.compareAndSet(false, true)) {
      vertx.runOnContext(v -> flush());
    }
    List<Member> others = new ArrayList<>(bus.targets(false).values());
    if (keys.isEmpty() || others.isEmpty()) {
      return;
    }
    try {
      bus.executor(Lane.CLAIMS).executeOnMembers(
          new ClaimInstances(bus.nodeId(), keys, stamps.stream().mapToLong(Long::longValue).toArray()), others);
    } catch (RuntimeException e) {
      LOG.warn("could not announce {} new sessions to the other nodes: {}", keys.size(), e.toString());
    }
  }
}
