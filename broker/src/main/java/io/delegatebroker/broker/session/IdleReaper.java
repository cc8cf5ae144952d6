package io.delegatebroker.broker.session;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps quiet sessions honest: a session silent (no frame, no ping, no pong) for a heartbeat period is pinged, once
 * per period, so that a client library's automatic pong keeps it alive without application heartbeats; one silent for
 * three periods is closed. One sweep per second over the index instead of timers per session keeps the per-session
 * cost at three fields; the pings of a sweep go out in one task per event loop.
 */
public final class IdleReaper {

  /** Silent heartbeat periods after which a session is closed (1000 {@code idle_timeout}). */
  public static final int SILENT_PERIODS = 3;

  private final SessionIndex index;
  private final long periodNanos;
  private final long idleNanos;

  /** @param heartbeat the heartbeat period announced in {@code welcome} */
  public IdleReaper(SessionIndex index, Duration heartbeat) {
    this.index = index;
    this.periodNanos = heartbeat.toNanos();
    this.idleNanos = SILENT_PERIODS * periodNanos;
  }

  public void start(Vertx vertx) {
    vertx.setPeriodic(1000, id -> sweep());
  }

  /** Closes the sessions silent for three periods and pings those silent for one. @return how many it closed */
  public int sweep() {
    long now = System.nanoTime();
    List<DelegateSession> idle = new ArrayList<>();
    Map<Context, List<DelegateSession>> toPing = new HashMap<>();
    index.forEach(s -> {
      long silent = now - s.lastSeenNanos();
      if (silent > idleNanos) {
        idle.add(s);
      } else if (silent >= periodNanos && now - s.lastPingNanos() >= periodNanos && s.context() != null) {
        toPing.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s);
      }
    });
    int n = 0;
    for (DelegateSession s : idle) {
      if (index.evict(s, CloseReason.IDLE)) {
        n++;
      }
    }
    toPing.forEach((context, sessions) -> context.runOnContext(v -> sessions.forEach(DelegateSession::ping)));
    return n;
  }
}
