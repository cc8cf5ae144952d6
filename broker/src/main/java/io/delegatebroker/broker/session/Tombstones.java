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

  /** How long a mark is kept: longer than any cache TTL and any connect in flight. */
  public static final long RETENTION_MILLIS = 10 * 60 * 1000L;

  private record Mark(CloseReason reason, long atMillis) {
  }

  private final ConcurrentHashMap<String, Mark> marks = new ConcurrentHashMap<>();

  public void endToken(String tokenId, CloseReason reason) {
    marks.putIfAbsent("t:" + tokenId, new Mark(reason, System.currentTimeMillis()));
  }

  public void endDelegate(String delegateId, CloseReason reason) {
    marks.putIfAbsent("d:" + delegateId, new Mark(reason, System.currentTimeMillis()));
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

  /** The reason a session of this token and delegate must not live, or null. */
  public CloseReason check(DelegateSession s) {
    CloseReason r = token(s.tokenId());
    return r != null ? r : delegate(s.delegateId());
  }

  public void purgeOlderThan(long cutoffMillis) {
    marks.values().removeIf(m -> m.atMillis() < cutoffMillis);
  }

  public int size() {
    return marks.size();
  }
}
