package io.delegatebroker.broker.domain.token;

import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.SessionIndex;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes the sessions of a token when it reaches its expiry (4002), to the millisecond rather than by a sweeper:
 * one timer per token with live sessions on this node. Every node does this for its own sessions, so expiry needs
 * no broadcast.
 */
public final class ExpiryWatcher {

  private final Vertx vertx;
  private final SessionIndex index;
  private final ConcurrentHashMap<String, Long> timers = new ConcurrentHashMap<>();

  public ExpiryWatcher(Vertx vertx, SessionIndex index) {
    this.vertx = vertx;
    this.index = index;
  }

  /** Makes sure the token's sessions here are closed at its expiry. */
  public void watch(TokenRecord token) {
    if (token.expiresAt() == null) {
      return;
    }
    timers.computeIfAbsent(token.id(), id -> {
      long delay = Math.max(1, token.expiresAt().toEpochMilli() - System.currentTimeMillis());
      return vertx.setTimer(delay, t -> {
        timers.remove(id);
        index.endToken(id, CloseReason.TOKEN_EXPIRED);
      });
    });
  }

  public void stop() {
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
  }
}
