package io.delegatebroker.broker.session;

/** What a listing shows of one live session; gathered from the node that holds it. */
public record SessionView(String delegateId, String delegate, String instance, String tokenId, String node,
    long connectedAtMillis, long lastHeartbeatMillis) {

  static SessionView of(DelegateSession s, String node) {
    return new SessionView(s.delegateId(), s.delegateName(), s.instance(), s.tokenId(), node, s.connectedAtMillis(),
        s.lastHeartbeatMillis());
  }
}
