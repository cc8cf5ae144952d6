package io.delegatebroker.api.routes;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the contract's error body for any failure; the one place failures become HTTP answers. */
public final class ErrorResponses {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {
  }

  public static void send(HttpServerResponse response, Throwable failure) {
    if (response.ended() || response.closed()) {
      return;
    }
    BrokerException e = BrokerException.from(failure);
    if (e.code() == ErrorCode.INTERNAL) {
      // Log the type and message only: a stack trace with arguments could carry a secret.
      LOG.error("Request failed: {}", failure.getClass().getName() + ": " + failure.getMessage());
    }
    send(response, e);
  }

  public static void send(HttpServerResponse response, BrokerException e) {
    response.setStatusCode(e.code().status()).putHeader("content-type", "application/json");
    if (e.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    response.end(e.toBody().encode());
  }
}
