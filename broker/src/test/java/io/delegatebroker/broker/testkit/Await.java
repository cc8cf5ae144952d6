package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

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
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
