package io.delegatebroker.broker.session;

import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This node's live sessions, indexed by token (revocation, expiry), by delegate (approval, rejection, deletion,
 * messages), by account (listings, which so never scan the sessions of other accounts) and by instance (replacement,
 * here and across the cluster). Safe to use from any thread: Vert.x event loops and the cluster's command threads.
 */
public final class SessionIndex {

  private final ConcurrentHashMap<String, Set<DelegateSession>> byToken = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<DelegateSession>> byDelegate = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<DelegateSession>> byAccount = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InstanceKey, DelegateSession> byInstance = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final ConnectClock clock = new ConnectClock();
  private final Tombstones tombstones;
  private final SessionEndListener onEnd;
  private volatile Consumer<DelegateSession> onAdded = s -> { };

  /**
   * A session the broker closed, with why: for metrics and logs. {@code bulk} when it was one of many closed at once
   * (a token or delegate ended, a drain), which {@link SessionEndListener#bulkEnded} then sums up.
   */
  public record SessionEnd(DelegateSession session, CloseReason reason, boolean bulk) {
  }

  /** What a bulk close ended: the sessions of one token, of one delegate, or all of the node's (a drain). */
  public enum Scope { TOKEN, DELEGATE, NODE }

  /**
   * One bulk close, once every close frame of it was handed to its connection: what ended ({@code name}: the token's
   * or delegate's name, null for the node), the account (null when the sessions were of several), the reason, how many
   * sessions this close ended and how long it took from the start to the last close frame written.
   */
  public record BulkEnd(Scope scope, String name, String accountId, CloseReason reason, int count, long millis) {
  }

  public SessionIndex(Tombstones tombstones, SessionEndListener onEnd) {
    this.tombstones = tombstones;
    this.onEnd = onEnd;
  }

  /** Called with every session this index accepted: the cluster announces it so other nodes drop older copies. */
  public void onAdded(Consumer<DelegateSession> listener) {
    this.onAdded = listener;
  }

  /**
   * Adds a session, closing the one of the same instance it replaces here (4005). If its token or delegate was ended
   * meanwhile, the session is closed at once with that reason (and counted for that end) and false is returned. If it
   * is pending and its delegate was approved meanwhile, it is approved now.
   */
  public boolean add(DelegateSession s) {
    add(byToken, s.tokenId(), s);
    add(byDelegate, s.delegateId(), s);
    add(byAccount, s.accountId(), s);
    size.incrementAndGet();
    DelegateSession[] previous = new DelegateSession[1];
    // The stamp is taken inside the instance's slot, so a claim from another node (see yieldTo) either sees this
    // session or was observed by the clock before the stamp was taken.
    byInstance.compute(InstanceKey.of(s), (k, prev) -> {
      s.connectStamp(clock.next());
      previous[0] = prev;
      return s;
    });
    if (previous[0] != null && previous[0] != s) {
      evict(previous[0], CloseReason.REPLACED);
    }
    Tombstones.Mark ended = tombstones.check(s);
    if (ended != null) {
      synchronized (ended) {
        if (evict(s, ended.reason())) {
          ended.addClosed(1);
        }
      }
      return false;
    }
    if (s.pending() && tombstones.approved(s.delegateId())) {
      s.approve();
    }
    onAdded.accept(s);
    return true;
  }

  /**
   * Another node accepted a session of this instance: the local one is closed with 4005 when it connected earlier in
   * the cluster-wide order ({@link ConnectClock}); when it connected later it stays, and the other node closes its
   * copy on hearing of this one. @return true when a local session was closed
   */
  public boolean yieldTo(String instanceKey, long stamp, String node, String localNode) {
    clock.observe(stamp);
    InstanceKey key = InstanceKey.parse(instanceKey);
    if (key == null) {
      return false;
    }
    DelegateSession[] older = new DelegateSession[1];
    byInstance.computeIfPresent(key, (k, local) -> {
      if (ConnectClock.before(local.connectStamp(), localNode, stamp, node)) {
        older[0] = local;
      }
      return local;
    });
    return older[0] != null && evict(older[0], CloseReason.REPLACED);
  }

  /** Forgets a session (closed by the peer or by the broker). Idempotent. */
  public void remove(DelegateSession s) {
    boolean removed = remove(byToken, s.tokenId(), s);
    remove(byDelegate, s.delegateId(), s);
    remove(byAccount, s.accountId(), s);
    byInstance.remove(InstanceKey.of(s), s);
    if (removed) {
      size.decrementAndGet();
    }
  }

  /** Closes the session with the reason and forgets it. @return true when this call closed it */
  public boolean evict(DelegateSession s, CloseReason reason) {
    boolean closed = s.close(reason);
    remove(s);
    if (closed) {
      onEnd.ended(new SessionEnd(s, reason, false));
    }
    return closed;
  }

  /**
   * Ends the token on this node: marks it, then closes each of its sessions, counting them for that end. This is the
   * one local eviction of a token, whoever calls it: the revoke command, the store safety net, the expiry timer.
   * When the token was already ended for another reason (expired, then revoked), its sessions close with the first
   * reason. @return how many sessions this call closed
   */
  public int endToken(String tokenId, CloseReason reason) {
    return end(tombstones.endToken(tokenId, reason), byToken.get(tokenId), Scope.TOKEN);
  }

  /**
   * Ends the token for a revoke command and answers how many of its sessions this node closed for the revocation that
   * no earlier answer reported: the ones this call closed, and the ones the safety net or a losing connect closed
   * before. A repeated revoke so counts only what was closed since the last answer (usually 0).
   */
  public int revokeToken(String tokenId) {
    return endAndReport(tombstones.endToken(tokenId, CloseReason.TOKEN_REVOKED), byToken.get(tokenId),
        CloseReason.TOKEN_REVOKED, Scope.TOKEN);
  }

  /** Ends the delegate on this node, like {@link #endToken}. @return how many sessions this call closed */
  public int endDelegate(String delegateId, CloseReason reason) {
    return end(tombstones.endDelegate(delegateId, reason), byDelegate.get(delegateId), Scope.DELEGATE);
  }

  /** Ends the delegate for a command and answers what no earlier answer reported, like {@link #revokeToken}. */
  public int endDelegateAndReport(String delegateId, CloseReason reason) {
    return endAndReport(tombstones.endDelegate(delegateId, reason), byDelegate.get(delegateId), reason,
        Scope.DELEGATE);
  }

  private int end(Tombstones.Mark mark, Collection<DelegateSession> sessions, Scope scope) {
    synchronized (mark) {
      int closed = evictAll(sessions, mark.reason(), scope);
      mark.addClosed(closed);
      return closed;
    }
  }

  private int endAndReport(Tombstones.Mark mark, Collection<DelegateSession> sessions, CloseReason reason,
      Scope scope) {
    synchronized (mark) {
      int closed = end(mark, sessions, scope);
      return mark.reason() == reason ? mark.takeUnreported() : closed;
    }
  }

  /**
   * Approves the delegate on this node: marks it, then approves each of its pending sessions (a session indexed
   * after the scan sees the mark in {@link #add}). @return how many sessions this call approved
   */
  public int approveDelegate(String delegateId) {
    tombstones.approveDelegate(delegateId);
    int n = 0;
    for (DelegateSession s : ofDelegate(delegateId)) {
      if (s.approve()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Closes many sessions at once (a drain: all of the node's), like {@link #endToken} does for a token's.
   * @return how many this call closed
   */
  public int evictAll(Collection<DelegateSession> sessions, CloseReason reason) {
    return evictAll(sessions, reason, Scope.NODE);
  }

  /**
   * Closes many sessions at once. Each is marked closed and forgotten here, so the count is exact when this returns;
   * the close frames are then sent by one task per event loop, on the loop that owns each connection, instead of one
   * cross-thread hand-off per session; the last task to finish reports the whole close to the listener once.
   * @return how many this call closed
   */
  private int evictAll(Collection<DelegateSession> sessions, CloseReason reason, Scope scope) {
    if (sessions == null) {
      return 0;
    }
    long started = System.nanoTime();
    Map<Context, List<DelegateSession>> byLoop = new HashMap<>();
    List<DelegateSession> unbound = new ArrayList<>();
    DelegateSession first = null;
    boolean oneAccount = true;
    int n = 0;
    for (DelegateSession s : List.copyOf(sessions)) {
      if (s.markClosed(reason)) {
        remove(s);
        onEnd.ended(new SessionEnd(s, reason, true));
        if (s.context() == null) {
          unbound.add(s);
        } else {
          byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s);
        }
        if (first == null) {
          first = s;
        } else if (oneAccount && !first.accountId().equals(s.accountId())) {
          oneAccount = false;
        }
        n++;
      }
    }
    if (n == 0) {
      return 0;
    }
    String name = scope == Scope.TOKEN ? first.tokenName() : scope == Scope.DELEGATE ? first.delegateName() : null;
    int count = n;
    String account = oneAccount ? first.accountId() : null;
    AtomicInteger batchesLeft = new AtomicInteger(byLoop.size() + 1);
    Runnable batchDone = () -> {
      if (batchesLeft.decrementAndGet() == 0) {
        onEnd.bulkEnded(new BulkEnd(scope, name, account, reason, count, (System.nanoTime() - started) / 1_000_000));
      }
    };
    byLoop.forEach((ctx, batch) -> ctx.runOnContext(v -> {
      try {
        batch.forEach(DelegateSession::closeSocket);
      } finally {
        batchDone.run();
      }
    }));
    unbound.forEach(DelegateSession::closeSocket);
    batchDone.run();
    return n;
  }

  public List<DelegateSession> ofToken(String tokenId) {
    return copy(byToken.get(tokenId));
  }

  public List<DelegateSession> ofDelegate(String delegateId) {
    return copy(byDelegate.get(delegateId));
  }

  /** The account's sessions, from its own index: a listing costs what the account holds, not what the node holds. */
  public List<DelegateSession> ofAccount(String accountId) {
    return copy(byAccount.get(accountId));
  }

  public List<DelegateSession> matching(Predicate<DelegateSession> filter) {
    List<DelegateSession> out = new ArrayList<>();
    for (DelegateSession s : byInstance.values()) {
      if (filter.test(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Token ids that have live sessions here. */
  public Set<String> tokenIds() {
    return Set.copyOf(byToken.keySet());
  }

  public Collection<DelegateSession> all() {
    return List.copyOf(byInstance.values());
  }

  /**
   * Visits every live session without copying them first (a copy of 15,000 references every second is garbage a
   * periodic sweep does not need); sessions added or removed meanwhile may or may not be visited.
   */
  public void forEach(Consumer<DelegateSession> action) {
    byInstance.values().forEach(action);
  }

  public int size() {
    return size.get();
  }

  /** Live sessions that are (or are not) pending approval, counted now: for gauges read at scrape time. */
  public int count(boolean pending) {
    int n = 0;
    for (DelegateSession s : byInstance.values()) {
      if (s.pending() == pending) {
        n++;
      }
    }
    return n;
  }

  private static List<DelegateSession> copy(Set<DelegateSession> set) {
    return set == null ? List.of() : List.copyOf(set);
  }

  private static void add(Map<String, Set<DelegateSession>> index, String key, DelegateSession s) {
    index.compute(key, (k, set) -> {
      Set<DelegateSession> target = set == null ? ConcurrentHashMap.newKeySet(2) : set;
      target.add(s);
      return target;
    });
  }

  private static boolean remove(Map<String, Set<DelegateSession>> index, String key, DelegateSession s) {
    boolean[] removed = {false};
    index.computeIfPresent(key, (k, set) -> {
      removed[0] = set.remove(s);
      return set.isEmpty() ? null : set;
    });
    return removed[0];
  }
}
