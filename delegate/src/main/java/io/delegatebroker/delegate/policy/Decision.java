package io.delegatebroker.delegate.policy;

import java.time.Duration;

/** What the delegate does after a session or a connect attempt ended, with the line a person reads. */
public sealed interface Decision {

  String line();

  /** Stop the process with this status. */
  record Exit(ExitCode code, String line) implements Decision {
  }

  /** Connect again at this pace; {@code retryAfter} is set only for {@link Pace#RETRY_AFTER}. */
  record Reconnect(Pace pace, String line, Duration retryAfter) implements Decision {

    public Reconnect(Pace pace, String line) {
      this(pace, line, null);
    }
  }

  /** How soon to connect again. */
  enum Pace {
    /** Within a short jitter: the node went away on purpose and another one will take the delegate. */
    PROMPTLY,
    /** Jittered exponential backoff: something failed, and a tight loop would only add load. */
    BACKOFF,
    /** Exactly when the manager said ({@code Retry-After}), plus a little jitter. */
    RETRY_AFTER
  }
}
