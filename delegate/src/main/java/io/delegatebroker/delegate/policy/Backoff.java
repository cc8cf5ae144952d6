package io.delegatebroker.delegate.policy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: jittered exponential backoff ("equal jitter": half the step fixed, half random, so delays never
 * shrink from one attempt to the next and a fleet that lost its node spreads out), a prompt reconnect within one
 * base step, and {@code Retry-After} with up to 10 % added. Not thread-safe: used from the delegate's event loop.
 */
public final class Backoff {

  private final long baseMillis;
  private final long maxMillis;
  private final DoubleSupplier random;
  private int failures;

  public Backoff(Duration base, Duration max) {
    this(base, max, () -> ThreadLocalRandom.current().nextDouble());
  }

  Backoff(Duration base, Duration max, DoubleSupplier random) {
    this.baseMillis = base.toMillis();
    this.maxMillis = Math.max(baseMillis, max.toMillis());
    this.random = random;
  }

  /** The delay before the next attempt at the given pace. */
  public Duration next(Decision.Reconnect decision) {
    return switch (decision.pace()) {
      case PROMPTLY -> promptly();
      case BACKOFF -> backoff();
      case RETRY_AFTER -> retryAfter(decision.retryAfter());
    };
  }

  /** Step {@code min(max, base * 2^failures)}, delay between half the step and the step. */
  Duration backoff() {
    long step = maxMillis;
    if (failures < 31) {
      step = Math.min(maxMillis, baseMillis << failures);
    }
    failures++;
    long half = step / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (step - half)));
  }

  Duration promptly() {
    failures = 0;
    return Duration.ofMillis((long) (random.getAsDouble() * baseMillis));
  }

  Duration retryAfter(Duration wait) {
    return wait.plusMillis((long) (random.getAsDouble() * wait.toMillis() / 10));
  }

  /** A session was established: the next failure starts from the base step again. */
  public void reset() {
    failures = 0;
  }
}
