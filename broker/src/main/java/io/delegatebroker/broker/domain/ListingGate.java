package io.delegatebroker.broker.domain;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Bounds how many listings of one account run at once on this node (a store query, a fan-out to every node, the JSON
 * of every session); the rest wait their turn in arrival order without costing anything. One account polling its
 * listings as fast as it can so occupies a few slots, and another account's revoke, which never waits here, is not
 * queued behind its burst on the admin event loop, the store pool or the nodes' query threads.
 */
public final class ListingGate {

  private final int perAccount;
  private final int maxWaiting;
  private final Map<String, Slots> accounts = new HashMap<>();

  /** A gate with the default bounds ({@link BrokerLimits#DEFAULT_LISTINGS_PER_ACCOUNT} running, the rest waiting). */
  public ListingGate() {
    this(BrokerLimits.DEFAULT_LISTINGS_PER_ACCOUNT, BrokerLimits.DEFAULT_LISTINGS_WAITING);
  }

  /**
   * @param perAccount listings of one account running at once on this node
   * @param maxWaiting listings of one account waiting on this node before more are refused with 503
   */
  public ListingGate(int perAccount, int maxWaiting) {
    this.perAccount = perAccount;
    this.maxWaiting = maxWaiting;
  }

  private static final class Slots {
    int running;
    final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  }

  /** Runs the listing when the account has a free slot. */
  public <T> Future<T> run(String accountId, Supplier<Future<T>> listing) {
    Promise<T> result = Promise.promise();
    Runnable start = () -> {
      Future<T> f;
      try {
        f = listing.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        release(accountId);
        result.handle(ar);
      });
    };
    boolean now;
    synchronized (this) {
      Slots slots = accounts.computeIfAbsent(accountId, k -> new Slots());
      if (slots.running < perAccount) {
        slots.running++;
        now = true;
      } else if (slots.waiting.size() < maxWaiting) {
        slots.waiting.add(start);
        now = false;
      } else {
        return Future.failedFuture(BrokerException.unavailable("Too many listings of this account at once, try again."));
      }
    }
    if (now) {
      start.run();
    }
    return result.future();
  }

  private void release(String accountId) {
    Runnable next;
    synchronized (this) {
      Slots slots = accounts.get(accountId);
      next = slots.waiting.poll();
      if (next == null && --slots.running == 0) {
        accounts.remove(accountId);
      }
    }
    if (next != null) {
      next.run();
    }
  }
}
