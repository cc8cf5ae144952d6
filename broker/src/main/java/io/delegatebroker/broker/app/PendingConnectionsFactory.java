package io.delegatebroker.broker.app;

import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.metrics.MicrometerBrokerMetrics;
import io.delegatebroker.broker.net.ClientAddresses;
import io.delegatebroker.broker.net.PendingConnections;
import io.delegatebroker.broker.net.RefusalLog;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The waiting-connection bounds of one listener, with its metrics; closes are counted and summarised in the log. */
final class PendingConnectionsFactory {

  private PendingConnectionsFactory() {
  }

  /**
   * @param first how long a new connection may take to deliver its first request
   * @param next how long a keep-alive connection may wait for its next request
   */
  static PendingConnections create(String listener, Duration first, Duration next, BrokerLimits limits,
      ClientAddresses clients, RefusalLog refusals, MicrometerBrokerMetrics metrics) {
    Map<PendingConnections.Cause, Counter> closes = new EnumMap<>(PendingConnections.Cause.class);
    for (PendingConnections.Cause reason : PendingConnections.Cause.values()) {
      closes.put(reason, metrics.counter("broker_connections_closed",
          "Connections closed before they sent a request, by listener and reason", "listener", listener,
          "reason", reason.asTag()));
    }
    PendingConnections pending = new PendingConnections(first, next, limits.pendingPerAddress(), limits.pendingTotal(),
        clients, (address, reason) -> {
          closes.get(reason).increment();
          refusals.closed(address, reason.asTag());
        });
    metrics.gauge("broker_pending_connections", "Connections waiting for a complete request, by listener",
        pending::waiting, "listener", listener);
    return pending;
  }
}
