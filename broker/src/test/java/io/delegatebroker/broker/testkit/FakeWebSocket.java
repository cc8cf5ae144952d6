package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server-side WebSocket without a network, for testing session logic in-process: it records the text frames
 * written to it and the close frame, and answers every write with a succeeded future. Everything else is a no-op.
 */
public final class FakeWebSocket {

  /** The close frame the broker sent: code and reason text. */
  public record Close(int code, String reason) {
  }

  private final List<String> texts = new CopyOnWriteArrayList<>();
  private final List<Close> closes = new CopyOnWriteArrayList<>();
  private final ServerWebSocket socket;

  public FakeWebSocket() {
    this.socket = (ServerWebSocket) Proxy.newProxyInstance(FakeWebSocket.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "FakeWebSocket";
            case "writeTextMessage":
              texts.add((String) args[0]);
              break;
            case "close":
              if (args != null && args.length == 2) {
                closes.add(new Close((Short) args[0], (String) args[1]));
              }
              break;
            default:
              break;
          }
          return answer(method.getReturnType());
        });
  }

  private static Object answer(Class<?> type) {
    if (Future.class.isAssignableFrom(type)) {
      return Future.succeededFuture();
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == int.class) {
      return 0;
    }
    return type == short.class ? (short) 0 : null;
  }

  public ServerWebSocket socket() {
    return socket;
  }

  /** The text frames written, in order. */
  public List<String> texts() {
    return List.copyOf(texts);
  }

  /** The close frames sent (a session sends at most one). */
  public List<Close> closes() {
    return List.copyOf(closes);
  }
}
