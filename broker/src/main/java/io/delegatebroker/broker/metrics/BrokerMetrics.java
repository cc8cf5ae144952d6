package io.delegatebroker.broker.metrics;

import io.delegatebroker.broker.vocabulary.RefusalReason;

/**
 * What the broker reports about itself. Domain and transport code talk to this interface only; the Micrometer
 * implementation turns it into Prometheus series.
 */
public interface BrokerMetrics {

  /** Outcome label of an accepted handshake. */
  String ACCEPTED = "accepted";

  /** How a delegate can end its own session, as reported to {@link #sessionClosedByDelegate}. */
  enum DelegateClose {
    /** It sent a close frame. */
    CLOSE_FRAME("close_frame"),
    /** The connection went away without one. */
    CONNECTION_LOST("connection_lost");

    private final String tag;

    DelegateClose(String tag) {
      this.tag = tag;
    }

    /** The {@code how} tag of the metric and the log line. */
    public String asTag() {
      return tag;
    }
  }

  /** A handshake was accepted. */
  void connectAccepted();

  /** A handshake was refused, for this reason (its tag is the {@code outcome}). */
  void connectRefused(RefusalReason reason);

  /** The broker closed a session; {@code cause} is {@code CloseReason.cause()}. */
  void sessionEnded(String cause);

  /** The delegate ended its session, by a close frame or by going away. Not an eviction. */
  void sessionClosedByDelegate(DelegateClose how);

  /** Time from a revoke request to the end of local eviction on this node. */
  void revocationLatency(long millis);
}
