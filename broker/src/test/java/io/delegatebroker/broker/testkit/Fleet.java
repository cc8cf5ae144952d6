package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Many delegate sessions of one token, connected round-robin over several nodes with a bounded number in flight. */
public final class Fleet {

  private Fleet() {
  }

  /** A WebSocket client that may hold thousands of sessions to one node. */
  public static WebSocketClient client(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(20_000).setConnectTimeout(30_000)
        .setMaxFrameSize(256 * 1024).setMaxMessageSize(256 * 1024));
  }

  /**
   * Connects {@code n} instances {@code prefix-i} of delegate {@code name}, instance i on port {@code i % ports};
   * returns once every one is welcomed (fails on the first refusal).
   */
  public static List<TestDelegate> connect(WebSocketClient ws, List<Integer> ports, String token, String account,
      String name, String prefix, int n) {
    Semaphore inFlight = new Semaphore(100);
    List<Future<TestDelegate>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new AssertionError("connects stalled after " + i);
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      var options = TestDelegate.options(ports.get(i % ports.size()), token, account, name)
          .addHeader("X-Delegate-Instance", prefix + "-" + i);
      all.add(TestDelegate.connectAsync(ws, options).onComplete(ar -> inFlight.release()));
    }
    Await.result(Future.all(all), 120);
    List<TestDelegate> out = new ArrayList<>();
    for (Future<TestDelegate> f : all) {
      TestDelegate d = f.result();
      d.next("welcome");
      out.add(d);
    }
    return out;
  }
}
