package io.delegatebroker.broker.soak;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The eviction invariant: a session of a revoked token ends at the latest {@link SoakSettings#SAFETY_NET} after the
 * later of (the revoke's 200 answer, the session's welcome), where a freeze of the session's node that began
 * before that deadline moves the start to the moment the node ran again. The lag of each eviction is measured from
 * that start to the moment the client saw the close frame (or the connection drop). Used under the ledger's lock.
 */
final class Eviction {

  private static final long GRACE = SoakSettings.SAFETY_NET.toMillis();

  private record Pending(Ledger.Attempt session, long since) {
  }

  private final List<Pending> pending = new ArrayList<>();
  private final List<Long> lags = new ArrayList<>();
  private long maxLag = -1;
  private String maxLagWhat = "";

  void expect(Ledger.Attempt session, long since) {
    pending.add(new Pending(session, since));
  }

  void check(long now, Consumer<String> violation) {
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      Ledger.Attempt s = p.session();
      long start = s.node.effectiveStart(p.since(), GRACE);
      if (start == Long.MAX_VALUE) {
        continue; // its node is frozen now: the clock starts when it runs again
      }
      long deadline = start + GRACE;
      if (s.endAt >= 0) {
        long lag = Math.max(0, s.endAt - start);
        lags.add(lag);
        if (lag > maxLag) {
          maxLag = lag;
          maxLagWhat = "token " + s.token.name + " on " + s.welcomeNode + ", close " + s.closeCode + " at " + s.endAt
              + " ms, revoke answered at " + s.token.revokeAckAt + " ms, counted from " + start + " ms";
        }
        if (s.endAt > deadline) {
          violation.accept(describe(s, p.since(), start) + " ended only " + lag + " ms after");
        }
        it.remove();
      } else if (now > deadline) {
        violation.accept(describe(s, p.since(), start) + " still open " + (now - start) + " ms after");
        it.remove();
      }
    }
  }

  private static String describe(Ledger.Attempt s, long since, long start) {
    return "revoked session " + s.account + "/" + s.delegateName + "/" + s.instance + " of token " + s.token.name
        + " on " + s.welcomeNode + " (revoke answered at " + s.token.revokeAckAt + " ms, counted from " + start
        + " ms" + (start != since ? ", after its node's freeze" : "") + ")";
  }

  int pendingCount() {
    return pending.size();
  }

  long maxLag() {
    return maxLag;
  }

  String maxLagWhat() {
    return maxLagWhat;
  }

  /** The lag at the given quantile (0..1), or -1 when nothing was evicted. */
  long lagQuantile(double q) {
    if (lags.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(lags);
    sorted.sort(null);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }

  int evictions() {
    return lags.size();
  }
}
