package io.delegatebroker.broker.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Orders connects across the cluster without trusting clocks to agree: a hybrid logical clock. A stamp is the wall
 * clock in microseconds, but never less than one past any stamp this node made or received, so a session that connects
 * after its node heard of another session of the same instance always carries the larger stamp, whatever the clocks
 * say. Two connects that were truly concurrent are ordered by stamp and then by node id, the same way on every node.
 */
public final class ConnectClock {

  private final AtomicLong last = new AtomicLong();

  /** A stamp larger than every stamp made or observed here. */
  public long next() {
    long now = System.currentTimeMillis() * 1000;
    return last.updateAndGet(prev -> Math.max(prev + 1, now));
  }

  /** Takes note of another node's stamp, so later local stamps are larger. */
  public void observe(long stamp) {
    last.accumulateAndGet(stamp, Math::max);
  }

  /** True when connect (stampA, nodeA) came before connect (stampB, nodeB) in the cluster-wide order. */
  public static boolean before(long stampA, String nodeA, long stampB, String nodeB) {
    return stampA != stampB ? stampA < stampB : nodeA.compareTo(nodeB) < 0;
  }
}
