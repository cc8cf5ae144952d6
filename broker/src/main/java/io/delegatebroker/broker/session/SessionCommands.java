package io.delegatebroker.broker.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node does when a cluster command asks it to act on its own sessions; each answers for this node only.
 * Every operation is in-memory work on the thread-safe {@link SessionIndex} that never blocks, so it may run on any
 * thread (the cluster's command threads, an event loop) and return at once.
 */
public final class SessionCommands {

  private static final Logger LOG = LoggerFactory.getLogger(SessionCommands.class);

  private final String nodeId;
  private final SessionIndex index;
  private final Consumer<String> forgetToken;
  private final BiConsumer<String, String> forgetDelegate;
  private final BiConsumer<String, String> forgetProfile;
  private final Consumer<Long> revocationLatency;

  /**
   * @param forgetToken    drops a cached token by hash
   * @param forgetDelegate drops a cached registration by account and name
   * @param forgetProfile  drops a cached profile by account and name
   */
  public SessionCommands(String nodeId, SessionIndex index, Consumer<String> forgetToken,
      BiConsumer<String, String> forgetDelegate, BiConsumer<String, String> forgetProfile, Consumer<Long> revocationLatency) {
    this.nodeId = nodeId;
    this.index = index;
    this.forgetToken = forgetToken;
    this.forgetDelegate = forgetDelegate;
    this.forgetProfile = forgetProfile;
    this.revocationLatency = revocationLatency;
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Revokes the token here. @return the sessions of the token closed here for the revocation and not yet reported, by
   * whichever path closed them ({@link SessionIndex#revokeToken})
   */
  public int revokeToken(String tokenId, String hash, long sentAtMillis) {
    forgetToken.accept(hash);
    long started = System.nanoTime();
    int n = index.revokeToken(tokenId);
    // The operator's line is SessionEndLog's summary of the close; this one only adds what the answer reports.
    LOG.debug("token revoked on node {}: {} sessions reported for it in {} ms", nodeId, n,
        (System.nanoTime() - started) / 1_000_000);
    revocationLatency.accept(Math.max(0, System.currentTimeMillis() - sentAtMillis));
    return n;
  }

  /** Rejects or deletes the delegate here. @return sessions closed for it and not yet reported */
  public int endDelegate(String accountId, String delegateId, String name, CloseReason reason) {
    forgetDelegate.accept(accountId, name);
    return index.endDelegateAndReport(delegateId, reason);
  }

  /** @return how many pending sessions were approved here */
  public int approve(String accountId, List<String> delegateIds, List<String> names) {
    names.forEach(n -> forgetDelegate.accept(accountId, n));
    int n = 0;
    for (String id : delegateIds) {
      n += index.approveDelegate(id);
    }
    return n;
  }

  /** Sends an encoded frame to every active session of the delegate here. @return how many got it */
  public int message(String delegateId, String frame) {
    int n = 0;
    for (DelegateSession s : index.ofDelegate(delegateId)) {
      if (!s.pending() && !s.closed()) {
        s.sendRaw(frame);
        n++;
      }
    }
    return n;
  }

  public List<SessionView> tokenSessions(String tokenId) {
    return index.ofToken(tokenId).stream().map(s -> SessionView.of(s, nodeId)).toList();
  }

  public List<SessionView> accountSessions(String accountId) {
    return index.ofAccount(accountId).stream().map(s -> SessionView.of(s, nodeId)).toList();
  }

  /** Live sessions per token id of the account, here. */
  public Map<String, Integer> tokenCounts(String accountId) {
    Map<String, Integer> counts = new HashMap<>();
    index.ofAccount(accountId).forEach(s -> counts.merge(s.tokenId(), 1, Integer::sum));
    return counts;
  }

  public int count() {
    return index.size();
  }

  public void forgetProfile(String accountId, String name) {
    forgetProfile.accept(accountId, name);
  }

  /** Another node accepted sessions of these instances: older copies here close with 4005. @return how many */
  public int yieldInstances(String fromNode, List<String> instanceKeys, long[] stamps) {
    int n = 0;
    for (int i = 0; i < instanceKeys.size(); i++) {
      if (index.yieldTo(instanceKeys.get(i), stamps[i], fromNode, nodeId)) {
        n++;
      }
    }
    return n;
  }
}
