package io.delegatebroker.broker.session;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's log of the sessions the broker closes, and their count by cause. A session closed on its own (idle
 * timeout, protocol violation, oversized message, replaced by a newer connection of its instance) gets one INFO line
 * each, as before. A bulk close (a token revoked or expired, a delegate rejected or deleted, a drain) gets one INFO
 * summary line per node with what ended, why and how many, and its sessions' own lines only at DEBUG: a revocation of
 * 15,000 sessions writes one line, not 15,000, and the count in it is this node's exact share. Token and key values
 * never reach this class; the names it logs are the operator's own names.
 */
public final class SessionEndLog implements SessionEndListener {

  private static final Logger LOG = LoggerFactory.getLogger(SessionEndLog.class);

  private final String nodeId;
  private final Consumer<String> countCause;

  /** @param countCause counts one closed session by its cause label (the evictions metric) */
  public SessionEndLog(String nodeId, Consumer<String> countCause) {
    this.nodeId = nodeId;
    this.countCause = countCause;
  }

  @Override
  public void ended(SessionIndex.SessionEnd end) {
    countCause.accept(end.reason().cause());
    if (end.bulk() ? LOG.isDebugEnabled() : LOG.isInfoEnabled()) {
      DelegateSession s = end.session();
      String line = "session closed: account={} delegate={} instance={} node={} reason={} code={} delegateId={}";
      Object[] args = {s.accountId(), s.delegateName(), s.instance(), nodeId, end.reason().cause(), end.reason().code(),
          s.delegateId()};
      if (end.bulk()) {
        LOG.debug(line, args);
      } else {
        LOG.info(line, args);
      }
    }
  }

  @Override
  public void bulkEnded(SessionIndex.BulkEnd bulk) {
    String what = switch (bulk.scope()) {
      case TOKEN -> " token=" + bulk.name();
      case DELEGATE -> " delegate=" + bulk.name();
      case NODE -> "";
    };
    LOG.info("sessions closed: account={}{} node={} reason={} code={} count={} ms={}",
        bulk.accountId() == null ? "*" : bulk.accountId(), what, nodeId, bulk.reason().cause(), bulk.reason().code(),
        bulk.count(), bulk.millis());
  }
}
