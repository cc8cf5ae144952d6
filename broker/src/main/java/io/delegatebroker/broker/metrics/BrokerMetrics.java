package io.delegatebroker.broker.metrics;

import io.delegatebroker.broker.vocabulary.RefusalReason;
import java.util.List;

/**
 * What the broker reports about itself. Domain and transport code talk to this interface only; the Micrometer
 * implementation turns it into Prometheus series.
 */
public interface BrokerMetrics {

  /** Outcome label of an accepted handshake. */
  String ACCEPTED = "accepted";

  /** How a delegate can end its own session, as reported to {@link #sessionClosedByDelegate}. */
  String CLOSE_FRAME = "close_frame";
  String CONNECTION_LOST = "connection_lost";
  List<String> DELEGATE_CLOSES = List.of(CLOSE_FRAME, CONNECTION_LOST);

  /** A handshake was accepted. */
  void connectAccepted();

  /** A handshake was refused, for this reason (its tag is the {@code outcome}). */
  void connectRefused(RefusalReason reason);

  /** The broker closed a session; {@code cause} is {@code CloseReason.cause()}. */
  void sessionEnded(String cause);

  /**
   * The delegate ended its session: {@code how} is {@link #CLOSE_FRAME} (its close frame) or {@link #CONNECTION_LOST}
   * (the connection went away without one). Not an eviction.
   */
  void sessionClosedByDelegate(String how);

  /** Time from a revoke request to the end of local eviction on this node. */
  void revocationLatency(long millis);
}
