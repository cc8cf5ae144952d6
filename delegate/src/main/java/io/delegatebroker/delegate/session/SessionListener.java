package io.delegatebroker.delegate.session;

import io.vertx.core.json.JsonObject;

/** What a session reports while it is open, on the delegate's event loop. */
public interface SessionListener {

  /** The manager's first frame: {@code delegateId}, {@code instance}, {@code status}, {@code node}, ... */
  void welcome(JsonObject welcome);

  /** A pending delegate was approved. */
  void approved();

  /** A message sent through the admin API. */
  void message(String id, JsonObject payload);
}
