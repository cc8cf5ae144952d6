package io.delegatebroker.delegate.handler;

import io.vertx.core.json.JsonObject;

/**
 * Receives the messages an operator sends this delegate through the admin API ({@code {"type":"message"}}). Called
 * on the delegate's event loop: a handler that does blocking work hands it to a worker.
 */
@FunctionalInterface
public interface MessageHandler {

  void handle(String id, JsonObject payload);
}
