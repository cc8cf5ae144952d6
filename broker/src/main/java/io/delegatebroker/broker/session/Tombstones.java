package io.delegatebroker.broker.session;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for a while, which tokens and delegates were ended (revoked, expired, rejected, deleted) on this
 * node. A connect whose verification began before the end and finishes after it registers its session first
 * and then checks here; the ending side marks here first and then scans the index. Either the connect sees the
 * mark or the scan sees the session, so no session outlives its token. Marks are dropped after
 * {@link #RETENTION_MILLIS}, long after any verification in flight has finished and caches have expired.
 *
 * <p>Approvals are marked the same way, so that an instance admitted as pending just before its delegate was approved
 * (or from a registration cached before it) is approved when it is indexed instead of waiting forever.
 */
public final class Tombstones {

  /** How long a mark is kept: longer than any cached entry lives (30 min) and any connect in flight. */
  public static final long RETENTION_MILLIS = 40 * 60 * 1000L;

  /** One ended token or delegate: why, when, and how many sessions this node closed for it. */
  public static final class Mark {
    private final CloseReason reason;
    private final long atMillis;
    private final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();

    Mark(CloseReason reason, long atMillis) {
      this.reason = reason;
      this.atMillis = atMillis;
    }

    public CloseReason reason() {
      return reason;
    }

    long atMillis() {
      return atMillis;
    }

    /** Adds sessions closed under this mark. @return the total so far */
    public int addClosed(int n) {
      return closed.addAndGet(n);
    }
  }

  private final ConcurrentHashMap<String, Mark> marks = new ConcurrentHashMap<>();

  /** Marks the token ended. @return the mark in force (an earlier one wins) */
  public Mark endToken(String tokenId, CloseReason reason) {
    return marks.computeIfAbsent("t:" + tokenId, k -> new Mark(reason, System.currentTimeMillis()));
  }

  /** Marks the delegate ended. @return the mark in force (an earlier one wins) */
  public Mark endDelegate(String delegateId, CloseReason reason) {
    return marks.computeIfAbsent("d:" + delegateId, k -> new Mark(reason, System.currentTimeMillis()));
  }

  /** Marks the delegate approved. Ids are never reused, so the mark cannot approve anything else. */
  public void approveDelegate(String delegateId) {
    marks.putIfAbsent("a:" + delegateId, new Mark(null, System.currentTimeMillis()));
  }

  /** True when the delegate was approved within the retention time. */
  public boolean approved(String delegateId) {
    return marks.containsKey("a:" + delegateId);
  }

  /** The reason the token was ended, or null. */
  public CloseReason token(String tokenId) {
    Mark m = marks.get("t:" + tokenId);
    return m == null ? null : m.reason();
  }

  /** The reason the delegate was ended, or null. */
  public CloseReason delegate(String delegateId) {
    Mark m = marks.get("d:" + delegateId);
    return m == null ? null : m.reason();
  }

  /** The mark that forbids a session of this token and delegate, or null. */
  public Mark check(DelegateSession s) {
    Mark m = marks.get("t:" + s.tokenId());
    return m != null ? m : marks.get("d:" + s.delegateId());
  }

  public void purgeOlderThan(long cutoffMillis) {
    marks.values().removeIf(m -> m.atMillis() < cutoffMillis);
  }

  public int size() {
    return marks.size();
  }
}
