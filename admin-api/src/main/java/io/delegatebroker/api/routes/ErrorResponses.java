package io.delegatebroker.api.routes;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
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
    // A body the HTTP decoders could not read (a broken form or multipart body) is the client's error, not ours.
    BrokerException e = failure instanceof DecoderException
        ? BrokerException.badRequest("The request body could not be read.") : BrokerException.from(failure);
    if (e.code() == ErrorCode.INTERNAL) {
      // Log the type and message only: a stack trace with arguments could carry a secret.
      LOG.error("Request failed: {}", failure.getClass().getName() + ": " + failure.getMessage());
    }
    send(response, e);
  }

  /**
   * The refusal of a request the HTTP decoder could not accept (headers over the limit, request line too long, bytes
   * that are not HTTP). Vert.x would answer those with an empty body or by just closing; this is the contract's error.
   */
  public static BrokerException invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    if (cause instanceof TooLongHttpHeaderException) {
      return new BrokerException(ErrorCode.HEADERS_TOO_LARGE, "The request headers are over the size limit.");
    }
    if (cause instanceof TooLongHttpLineException) {
      return new BrokerException(ErrorCode.URI_TOO_LONG, "The request line is over the size limit.");
    }
    return BrokerException.badRequest("The request is not valid HTTP.");
  }

  /** Answers an invalid request with its error, then closes the connection: its framing cannot be trusted. */
  public static void sendInvalid(HttpServerRequest request, BrokerException e) {
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      request.connection().close();
      return;
    }
    response.setStatusCode(e.code().status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(e.toBody().encode())
        .onComplete(ar -> request.connection().close());
  }

  /**
   * Answers a request whose body was never read (refused from its headers alone). When a body is still to come, the
   * connection is closed after the answer: reading the rest only to find the next request would buffer what the
   * refusal meant to spare, and the rest cannot be skipped safely.
   */
  public static void sendUnread(HttpServerRequest request, Throwable failure) {
    HttpServerResponse response = request.response();
    if (request.isEnded() || (request.getHeader("content-length") == null
        && request.getHeader("transfer-encoding") == null)) {
      send(response, failure);
      return;
    }
    if (response.ended() || response.closed()) {
      return;
    }
    BrokerException e = BrokerException.from(failure);
    response.setStatusCode(e.code().status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(e.toBody().encode())
        .onComplete(ar -> request.connection().close());
  }

  public static void send(HttpServerResponse response, BrokerException e) {
    response.setStatusCode(e.code().status()).putHeader("content-type", "application/json");
    if (e.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    response.end(e.toBody().encode());
  }
}
