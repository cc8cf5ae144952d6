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

  /**
   * One ended token or delegate: why, when, how many sessions this node closed for it, and how many of those an
   * answer to a command has reported already. Every path that closes a session for the end (the command, the store
   * safety net, a connect that lost the race, the expiry timer) counts here under the mark's lock, so an answer that
   * takes the unreported count reports each closed session exactly once.
   */
  public static final class Mark {
    private final CloseReason reason;
    private final long atMillis;
    private int closed; // guarded by this
    private int reported; // guarded by this

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
    public synchronized int addClosed(int n) {
      closed += n;
      return closed;
    }

    /** The sessions closed under this mark that no answer has reported yet, now counted as reported. */
    public synchronized int takeUnreported() {
      int n = closed - reported;
      reported = closed;
      return n;
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
