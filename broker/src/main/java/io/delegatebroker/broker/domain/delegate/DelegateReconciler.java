package io.delegatebroker.broker.domain.delegate;

import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateRef;
import io.delegatebroker.broker.domain.store.BrokerStore.DelegateState;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.DelegateSession;
import io.delegatebroker.broker.session.SessionIndex;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle counterpart of the revocation catch-up: every {@link #PERIOD_MILLIS} the node asks the store for the
 * state of every delegate it holds sessions of, in one query, and applies what it missed (a node that was paused or
 * partitioned when the operator acted): deleted → 4004, rejected → 4003, approved while its sessions here are still
 * pending → {@code approved}.
 */
public final class DelegateReconciler {

  public static final long PERIOD_MILLIS = 5000;
  private static final Logger LOG = LoggerFactory.getLogger(DelegateReconciler.class);

  private final BrokerStore store;
  private final SessionIndex index;
  private final DelegateRegistry registry;
  private boolean running;

  public DelegateReconciler(BrokerStore store, SessionIndex index, DelegateRegistry registry) {
    this.store = store;
    this.index = index;
    this.registry = registry;
  }

  public void start(Vertx vertx) {
    vertx.setPeriodic(PERIOD_MILLIS, id -> reconcile());
  }

  /** One round; rounds never overlap. @return how many sessions it changed */
  public Future<Integer> reconcile() {
    if (running) {
      return Future.succeededFuture(0);
    }
    Map<String, DelegateRef> refs = new HashMap<>();
    Map<String, Boolean> anyPending = new HashMap<>();
    for (DelegateSession s : index.all()) {
      refs.putIfAbsent(s.delegateId(), new DelegateRef(s.delegateId(), s.accountId(), s.delegateName()));
      anyPending.merge(s.delegateId(), s.pending(), Boolean::logicalOr);
    }
    if (refs.isEmpty()) {
      return Future.succeededFuture(0);
    }
    running = true;
    List<DelegateRef> asked = new ArrayList<>(refs.values());
    return store.delegateStates(asked).map(states -> {
      int changed = 0;
      for (DelegateRef ref : asked) {
        DelegateState state = states.get(ref.id());
        if (state == DelegateState.DELETED || state == DelegateState.REJECTED) {
          registry.forget(ref.accountId(), ref.name());
          changed += index.endDelegate(ref.id(),
              state == DelegateState.DELETED ? CloseReason.DELEGATE_DELETED : CloseReason.DELEGATE_REJECTED);
        } else if (state == DelegateState.ACTIVE && anyPending.getOrDefault(ref.id(), false)) {
          registry.forget(ref.accountId(), ref.name());
          changed += index.approveDelegate(ref.id());
        }
      }
      if (changed > 0) {
        LOG.info("reconcile: applied {} missed delegate changes to sessions on this node", changed);
      }
      return changed;
    }).onComplete(ar -> running = false);
  }
}
