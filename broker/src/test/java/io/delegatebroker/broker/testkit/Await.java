package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Blocks the test thread (never an event loop) on a Vert.x future. */
public final class Await {

  private Await() {
  }

  public static <T> T result(Future<T> f) {
    return result(f, 20);
  }

  public static <T> T result(Future<T> f, int seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits, polling every 50 ms for at most {@code seconds}, until the condition holds: for state the broker changes
   * on its own (closes, gauges, recoveries). Fails naming what did not happen.
   */
  public static void until(String what, int seconds, BooleanSupplier condition) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
