package io.delegatebroker.broker.domain.token;

import io.delegatebroker.broker.domain.store.BrokerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when tokens were last used without a database write per connect: uses are collected in memory and
 * written in one batch every {@link #FLUSH_MILLIS}. {@code lastUsedAt} is therefore at most that stale; on a
 * crash the last interval is lost, which only makes {@code lastUsedAt} older than it should be.
 */
public final class LastUsedRecorder {

  public static final long FLUSH_MILLIS = 5000;
  private static final Logger LOG = LoggerFactory.getLogger(LastUsedRecorder.class);

  private final BrokerStore store;
  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  private long timer = -1;
  private Vertx vertx;

  public LastUsedRecorder(BrokerStore store) {
    this.store = store;
  }

  public void start(Vertx vertx) {
    this.vertx = vertx;
    timer = vertx.setPeriodic(FLUSH_MILLIS, id -> flush());
  }

  public void used(String tokenId, Instant at) {
    pending.merge(tokenId, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** The time recorded but not yet written for a token, or null. */
  public Instant unflushed(String tokenId) {
    return pending.get(tokenId);
  }

  public Future<Void> flush() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, Instant> batch = new HashMap<>();
    for (String id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        batch.put(id, at);
      }
    }
    return store.touchTokens(batch).onFailure(t -> {
      LOG.warn("Could not record token use, will retry: {}", t.getMessage());
      batch.forEach(this::used);
    });
  }

  public Future<Void> stop() {
    if (vertx != null && timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return flush().recover(t -> Future.succeededFuture());
  }
}
