package io.delegatebroker.broker.domain;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.broker.vocabulary.RefusalReason;

/**
 * A delegate may not connect, and why. The domain's connect checks fail with this; the gateway answers it with the
 * reason's error, counts it under the reason's tag and charges it to the failed-handshake limit as the reason says,
 * by type, never by reading the message. The message is for a person and never holds a secret.
 */
public class ConnectRefused extends BrokerException {
  private static final long serialVersionUID = 1L;

  private final RefusalReason reason;

  public ConnectRefused(RefusalReason reason, String message) {
    this(reason, message, null);
  }

  public ConnectRefused(RefusalReason reason, String message, Integer retryAfterSeconds) {
    super(reason.error(), message, retryAfterSeconds);
    this.reason = reason;
  }

  public RefusalReason reason() {
    return reason;
  }
}
