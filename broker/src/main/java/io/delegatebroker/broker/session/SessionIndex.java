package io.delegatebroker.broker.session;

import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * This node's live sessions, indexed by token (for revocation and expiry), by delegate (for approval,
 * rejection, deletion and messages) and by instance (for replacement). Safe to use from any event loop.
 */
public final class SessionIndex {

  private final ConcurrentHashMap<String, Set<DelegateSession>> byToken = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<DelegateSession>> byDelegate = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DelegateSession> byInstance = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Tombstones tombstones;
  private final Consumer<SessionEnd> onEnd;

  /** A session the broker closed, with why: for metrics and logs. */
  public record SessionEnd(DelegateSession session, CloseReason reason) {
  }

  public SessionIndex(Tombstones tombstones, Consumer<SessionEnd> onEnd) {
    this.tombstones = tombstones;
    this.onEnd = onEnd;
  }

  /**
   * Adds a session, closing the one it replaces (4005). If its token or delegate was ended meanwhile, the
   * session is closed at once with that reason and false is returned. If it is pending and its delegate was
   * approved meanwhile, it is approved now.
   */
  public boolean add(DelegateSession s) {
    add(byToken, s.tokenId(), s);
    add(byDelegate, s.delegateId(), s);
    size.incrementAndGet();
    DelegateSession previous = byInstance.put(s.instanceKey(), s);
    if (previous != null && previous != s) {
      evict(previous, CloseReason.REPLACED);
    }
    Tombstones.Mark ended = tombstones.check(s);
    if (ended != null) {
      if (evict(s, ended.reason())) {
        ended.addClosed(1);
      }
      return false;
    }
    if (s.pending() && tombstones.approved(s.delegateId())) {
      s.approve();
    }
    return true;
  }

  /** Forgets a session (closed by the peer or by the broker). Idempotent. */
  public void remove(DelegateSession s) {
    boolean removed = remove(byToken, s.tokenId(), s);
    remove(byDelegate, s.delegateId(), s);
    byInstance.remove(s.instanceKey(), s);
    if (removed) {
      size.decrementAndGet();
    }
  }

  /** Closes the session with the reason and forgets it. @return true when this call closed it */
  public boolean evict(DelegateSession s, CloseReason reason) {
    boolean closed = s.close(reason);
    remove(s);
    if (closed) {
      onEnd.accept(new SessionEnd(s, reason));
    }
    return closed;
  }

  /**
   * Ends the token on this node: marks it, then closes each of its sessions. Whoever ends it first (the command, the
   * store catch-up or the expiry timer) closes the sessions; every call answers the total this node closed for that
   * end, so a revoke reports the sessions even when the catch-up got to them a moment before its command arrived.
   */
  public int endToken(String tokenId, CloseReason reason) {
    return end(tombstones.endToken(tokenId, reason), byToken.get(tokenId), reason);
  }

  /** Ends the delegate on this node, like {@link #endToken}. */
  public int endDelegate(String delegateId, CloseReason reason) {
    return end(tombstones.endDelegate(delegateId, reason), byDelegate.get(delegateId), reason);
  }

  private int end(Tombstones.Mark mark, Collection<DelegateSession> sessions, CloseReason reason) {
    int closed = evictAll(sessions, mark.reason());
    int total = mark.addClosed(closed);
    return mark.reason() == reason ? total : closed;
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
   * Closes many sessions at once. Each is marked closed and forgotten here, so the count is exact when this returns;
   * the close frames are then sent by one task per event loop, on the loop that owns each connection, instead of one
   * cross-thread hand-off per session. @return how many this call closed
   */
  public int evictAll(Collection<DelegateSession> sessions, CloseReason reason) {
    if (sessions == null) {
      return 0;
    }
    Map<Context, List<DelegateSession>> byLoop = new HashMap<>();
    List<DelegateSession> unbound = new ArrayList<>();
    int n = 0;
    for (DelegateSession s : List.copyOf(sessions)) {
      if (s.markClosed(reason)) {
        remove(s);
        onEnd.accept(new SessionEnd(s, reason));
        if (s.context() == null) {
          unbound.add(s);
        } else {
          byLoop.computeIfAbsent(s.context(), c -> new ArrayList<>()).add(s);
        }
        n++;
      }
    }
    byLoop.forEach((ctx, batch) -> ctx.runOnContext(v -> batch.forEach(DelegateSession::closeSocket)));
    unbound.forEach(DelegateSession::closeSocket);
    return n;
  }


  public List<DelegateSession> ofToken(String tokenId) {
    Set<DelegateSession> set = byToken.get(tokenId);
    return set == null ? List.of() : List.copyOf(set);
  }

  public List<DelegateSession> ofDelegate(String delegateId) {
    Set<DelegateSession> set = byDelegate.get(delegateId);
    return set == null ? List.of() : List.copyOf(set);
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
