package io.delegatebroker.broker.soak;

/** Milliseconds since the soak started, from the monotonic clock: every recorded event of a run uses it. */
final class SoakClock {

  private static final long START = System.nanoTime();

  private SoakClock() {
  }

  static long now() {
    return (System.nanoTime() - START) / 1_000_000;
  }
}
