package io.delegatebroker.broker.interop;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket client library under test, driven by JSON commands ({@code connect}, {@code text}, {@code fragments},
 * {@code pong}, {@code close}, {@code stats}), answering with JSON events per connection ({@code open},
 * {@code refused}, {@code text}, {@code close}, {@code stats}, {@code error}). The same commands drive a Python or
 * Node script over stdin/stdout and the JDK client in this JVM, so one suite runs against all of them.
 */
abstract class InteropClient implements AutoCloseable {

  private final Map<String, LinkedBlockingQueue<JsonObject>> events = new ConcurrentHashMap<>();

  /** Library name and version, as the library reports it. */
  abstract String library();

  /** Whether the library offers permessage-deflate by default (the JDK client does not). */
  abstract boolean offersCompression();

  /** Sends one command to the library. */
  abstract void command(JsonObject command);

  /** Ends the library's connections and its process, if any. */
  @Override
  public abstract void close();

  /** What the driver printed besides events (a script's stderr), for failure messages. */
  String diagnostics() {
    return "";
  }

  /** Records an event of the library. */
  final void event(JsonObject event) {
    String conn = event.getString("conn");
    queue(conn == null ? "" : conn).add(event);
  }

  private LinkedBlockingQueue<JsonObject> queue(String conn) {
    return events.computeIfAbsent(conn, c -> new LinkedBlockingQueue<>());
  }

  /** The next event of the connection; fails after {@code seconds}. */
  final JsonObject next(String conn, int seconds) {
    try {
      JsonObject e = queue(conn).poll(seconds, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError(library() + ": no event on " + conn + " within " + seconds + " s" + diagnostics());
      }
      return e;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next event of the connection, which must be of that kind. */
  final JsonObject expect(String conn, String event, int seconds) {
    JsonObject e = next(conn, seconds);
    if (!event.equals(e.getString("event"))) {
      throw new AssertionError(library() + ": expected " + event + " on " + conn + ", got " + e + diagnostics());
    }
    return e;
  }

  /** Whether no event is waiting on the connection. */
  final boolean quiet(String conn) {
    return queue(conn).isEmpty();
  }
}
