package io.delegatebroker.broker.domain;

import io.delegatebroker.api.error.BrokerException;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;

/** Turns "maybe absent" store answers into the contract's 404 {@code not_found}. */
public final class Found {

  private Found() {
  }

  /** For {@code compose}: the value, or a failure with 404 and the message. */
  public static <T> Function<Optional<T>, Future<T>> orNotFound(String message) {
    return found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(BrokerException.notFound(message)));
  }
}
