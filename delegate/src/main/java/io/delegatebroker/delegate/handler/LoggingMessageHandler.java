package io.delegatebroker.delegate.handler;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The reference delegate's handler: writes each message's payload to the log (cut to 1,000 characters). */
public final class LoggingMessageHandler implements MessageHandler {

  private static final Logger LOG = LoggerFactory.getLogger("delegate");
  private static final int MAX = 1000;

  @Override
  public void handle(String id, JsonObject payload) {
    String text = payload.encode();
    LOG.info("message {}: {}", id, text.length() > MAX ? text.substring(0, MAX) + "..." : text);
  }
}
