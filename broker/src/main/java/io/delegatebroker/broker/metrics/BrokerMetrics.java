package io.delegatebroker.broker.metrics;

import java.util.List;

/**
 * What the broker reports about itself. Domain and transport code talk to this interface only; the Micrometer
 * implementation turns it into Prometheus series, and {@link #NOOP} serves tests and tools.
 */
public interface BrokerMetrics {

  /** Outcome label of an accepted handshake. */
  String ACCEPTED = "accepted";

  /**
   * Every reason a handshake can be refused for, as reported to {@link #connectRefused}: the token reasons of
   * {@code TokenVerifier.InvalidToken} (401 to the client), then the error codes of the other refusals.
   * {@code internal} should stay at zero.
   */
  List<String> REFUSAL_REASONS = List.of("unknown", "revoked", "expired", "wrong_account", "malformed",
      "bad_request", "profile_not_found", "delegate_rejected", "rate_limited", "draining", "unavailable", "internal");

  /** A handshake was accepted. */
  void connectAccepted();

  /** A handshake was refused; {@code reason} is one of {@link #REFUSAL_REASONS}. */
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
