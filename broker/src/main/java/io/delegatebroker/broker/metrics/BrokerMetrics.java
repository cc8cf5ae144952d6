package io.delegatebroker.broker.metrics;

/**
 * What the broker reports about itself. Domain and transport code talk to this interface only; the Micrometer
 * implementation turns it into Prometheus series, and {@link #NOOP} serves tests and tools.
 */
public interface BrokerMetrics {

  /** A handshake was accepted. */
  void connectAccepted();

  /** A handshake was refused; {@code reason} is the internal reason (unknown, revoked, expired, bad_request ...). */
  void connectRefused(String reason);

  /** The broker closed a session; {@code cause} is {@code CloseReason.cause()}. */
  void sessionEnded(String cause);

  /** Time from a revoke request to the end of local eviction on this node. */
  void revocationLatency(long millis);

  BrokerMetrics NOOP = new BrokerMetrics() {
    @Override
    public void connectAccepted() {
    }

    @Override
    public void connectRefused(String reason) {
    }

    @Override
    public void sessionEnded(String cause) {
    }

    @Override
    public void revocationLatency(long millis) {
    }
  };
}
