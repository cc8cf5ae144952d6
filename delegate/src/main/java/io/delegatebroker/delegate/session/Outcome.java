package io.delegatebroker.delegate.session;

import java.time.Duration;

/** How one connect attempt, or the session it opened, ended. */
public sealed interface Outcome {

  /** The manager refused the upgrade with an HTTP status (its {@code Retry-After} and error message, if any). */
  record Refused(int status, String retryAfter, String message) implements Outcome {
  }

  /** No WebSocket was opened: connection refused, DNS, TLS, timeout. */
  record Unreachable(String cause) implements Outcome {
  }

  /**
   * The session ended. {@code code} is null when the socket went away without a close frame (1006).
   *
   * @param lasted how long the session was open
   */
  record Closed(Integer code, String reason, Duration lasted) implements Outcome {
  }

  /** The session was closed by this delegate because it is stopping. */
  record Stopped() implements Outcome {
  }
}
