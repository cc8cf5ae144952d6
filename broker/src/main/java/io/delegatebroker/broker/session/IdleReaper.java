package io.delegatebroker.broker.session;

import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Closes sessions that sent nothing (no frame, no pong) for three heartbeat periods. One sweep per second over the
 * index instead of a timer per session keeps the per-session cost at two fields.
 */
public final class IdleReaper {

  private final SessionIndex index;
  private final long idleNanos;

  public IdleReaper(SessionIndex index, Duration idle) {
    this.index = index;
    this.idleNanos = idle.toNanos();
  }

  public void start(Vertx vertx) {
    vertx.setPeriodic(1000, id -> sweep());
  }

  public int sweep() {
    long now = System.nanoTime();
    int n = 0;
    for (DelegateSession s : index.all()) {
      if (now - s.lastSeenNanos() > idleNanos && index.evict(s, CloseReason.IDLE)) {
        n++;
      }
    }
    return n;
  }
}
