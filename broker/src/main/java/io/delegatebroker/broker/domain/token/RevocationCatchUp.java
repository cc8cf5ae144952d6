package io.delegatebroker.broker.domain.token;

import io.delegatebroker.broker.domain.TokenRecord;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.session.Tombstones;
import io.delegatebroker.broker.store.BrokerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under the revocation broadcast: the store is the truth, and every {@link #PERIOD_MILLIS} this node
 * asks it which tokens were revoked since its last successful check (with an overlap for clock skew between nodes)
 * and ends any it did not know of. A node that was paused, partitioned or lost broadcasts thus evicts within one
 * period of running again: its timer fires first thing, and the window starts where the last successful check did.
 */
public final class RevocationCatchUp {

  public static final long PERIOD_MILLIS = 1000;
  private static final long OVERLAP_MILLIS = 30_000;
  private static final Logger LOG = LoggerFactory.getLogger(RevocationCatchUp.class);

  private final BrokerStore store;
  private final SessionIndex index;
  private final Tombstones tombstones;
  private final TokenVerifier verifier;
  private Instant checkedUntil = Instant.now();
  private boolean running;

  public RevocationCatchUp(BrokerStore store, SessionIndex index, Tombstones tombstones, TokenVerifier verifier) {
    this.store = store;
    this.index = index;
    this.tombstones = tombstones;
    this.verifier = verifier;
  }

  public void start(Vertx vertx) {
    vertx.setPeriodic(PERIOD_MILLIS, id -> check());
  }

  /** One reconciliation round; rounds never overlap. @return how many sessions it closed */
  public Future<Integer> check() {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    Instant started = Instant.now();
    return store.tokensRevokedSince(checkedUntil.minusMillis(OVERLAP_MILLIS)).map(tokens -> {
      int closed = 0;
      for (TokenRecord t : tokens) {
        if (tombstones.token(t.id()) == null) {
          verifier.forget(t.hash());
          int n = index.endToken(t.id(), CloseReason.TOKEN_REVOKED);
          if (n > 0) {
            LOG.info("catch-up: closed {} sessions of a token revoked while this node was not listening", n);
          }
          closed += n;
        }
      }
      checkedUntil = started;
      return closed;
    }).onComplete(ar -> running = false);
  }
}
