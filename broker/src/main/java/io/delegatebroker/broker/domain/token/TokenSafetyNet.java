package io.delegatebroker.broker.domain.token;

import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.TokenState;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.SessionIndex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under the revocation broadcast, and it needs no clock: every period (2 s by default) this node asks
 * the store for the state of <em>every</em> token it holds live sessions of (500 ids per query by default) and ends
 * those the store says are revoked (4001) or past their expiry by the store's own clock (4002). A node that missed a
 * broadcast (paused, partitioned from its peers, or with a clock far from the revoking node's) thus evicts within one
 * period of the store answering it, whatever its own clock says. It ends tokens through {@link SessionIndex#endToken},
 * the same call the revoke command makes, so a revocation counts the sessions whichever path closed them.
 *
 * <p>Rounds never overlap. While the store cannot be reached a round fails, logs once, and the next round tries again;
 * sessions are left as they are.
 */
public final class TokenSafetyNet {

  private static final Logger LOG = LoggerFactory.getLogger(TokenSafetyNet.class);

  private final BrokerStore store;
  private final SessionIndex index;
  private final TokenVerifier verifier;
  private final long periodMillis;
  private final int batchSize;
  private boolean running;
  private boolean failing;

  /**
   * @param period how often every held token is checked: the longest a missed revocation survives once the store
   *     answers
   * @param batchSize token ids per query: bounds the statement and its answer on a node holding thousands of tokens
   */
  public TokenSafetyNet(BrokerStore store, SessionIndex index, TokenVerifier verifier, Duration period,
      int batchSize) {
    this.store = store;
    this.index = index;
    this.verifier = verifier;
    this.periodMillis = period.toMillis();
    this.batchSize = batchSize;
  }

  public void start(Vertx vertx) {
    vertx.setPeriodic(periodMillis, id -> check());
  }

  /** One round over every token with live sessions here. @return how many sessions it closed */
  public Future<Integer> check() {
    if (running) {
      return Future.succeededFuture(0);
    }
    List<String> held = new ArrayList<>(index.tokenIds());
    if (held.isEmpty()) {
      return Future.succeededFuture(0);
    }
    running = true;
    Future<Integer> round = Future.succeededFuture(0);
    for (int from = 0; from < held.size(); from += batchSize) {
      List<String> batch = held.subList(from, Math.min(held.size(), from + batchSize));
      round = round.compose(closed -> store.tokenStates(batch).map(states -> closed + apply(states)));
    }
    return round.andThen(ar -> {
      running = false;
      if (ar.failed() && !failing) {
        LOG.warn("token safety net: the store cannot be reached; retrying every {} ms", periodMillis);
      } else if (ar.succeeded() && failing) {
        LOG.info("token safety net: the store answers again");
      }
      failing = ar.failed();
    });
  }

  private int apply(List<TokenState> states) {
    int closed = 0;
    for (TokenState t : states) {
      if (t.revoked() || t.expired()) {
        verifier.forget(t.hash());
        int n = index.endToken(t.id(), t.revoked() ? CloseReason.TOKEN_REVOKED : CloseReason.TOKEN_EXPIRED);
        if (n > 0) {
          LOG.info("token safety net: closed {} sessions of a token the store has {}", n,
              t.revoked() ? "revoked" : "expired");
        }
        closed += n;
      }
    }
    return closed;
  }
}
