package io.delegatebroker.broker.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A delegate over a real WebSocket: records every frame it receives and how the broker closed it. Refused
 * handshakes surface as {@link Refusal} with the HTTP status and JSON body.
 */
public final class TestDelegate {

  /** A refused handshake. */
  public record Refusal(int status, JsonObject body, String retryAfter) {
    public String code() {
      return body.getJsonObject("error").getString("code");
    }
  }

  /** How the session ended. */
  public record Close(int code, String reason) {
  }

  private final WebSocket ws;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final Promise<Close> closed = Promise.promise();

  /** Handlers are set before connecting: a frame the broker sends at once (welcome) must not arrive unheard. */
  private TestDelegate(ClientWebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
    ws.closeHandler(v -> closed.tryComplete(new Close(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(),
        ws.closeReason())));
  }

  public static WebSocketConnectOptions options(int port, String token, String account, String name) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/delegates/connect");
    if (token != null) {
      o.addHeader("Authorization", "Delegate " + token);
    }
    if (account != null) {
      o.addHeader("X-Account-Id", account);
    }
    if (name != null) {
      o.addHeader("X-Delegate-Name", name);
    }
    return o;
  }

  /** Connects; the future fails with {@link Refusal} when the broker refuses the handshake. */
  public static Future<TestDelegate> connectAsync(WebSocketClient client, WebSocketConnectOptions options) {
    ClientWebSocket socket = client.webSocket();
    TestDelegate delegate = new TestDelegate(socket);
    return socket.connect(options).map(connected -> delegate).recover(t -> {
      if (t instanceof UpgradeRejectedException u) {
        String body = u.getBody() == null ? "{}" : u.getBody().toString();
        return Future.failedFuture(new RefusedException(new Refusal(u.getStatus(), new JsonObject(body),
            u.getHeaders() == null ? null : u.getHeaders().get("Retry-After"))));
      }
      return Future.failedFuture(t);
    });
  }

  public static TestDelegate connect(WebSocketClient client, WebSocketConnectOptions options) {
    return Await.result(connectAsync(client, options));
  }

  public static TestDelegate connect(WebSocketClient client, int port, String token, String account, String name,
      Map<String, String> extraHeaders) {
    WebSocketConnectOptions o = options(port, token, account, name);
    extraHeaders.forEach(o::addHeader);
    return connect(client, o);
  }

  /** Connects expecting a refusal. */
  public static Refusal refused(WebSocketClient client, WebSocketConnectOptions options) {
    try {
      TestDelegate d = connect(client, options);
      d.ws.close();
      throw new AssertionError("expected the handshake to be refused, but it was accepted");
    } catch (RefusedException e) {
      return e.refusal;
    }
  }

  public static WebSocketClient client(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(256 * 1024)
        .setMaxMessageSize(256 * 1024).setConnectTimeout(10_000));
  }

  /** The next frame, waiting at most 10 s. */
  public JsonObject next() {
    try {
      JsonObject f = frames.poll(10, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within 10 s");
      }
      return f;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next frame of the given type, skipping others. */
  public JsonObject next(String type) {
    while (true) {
      JsonObject f = next();
      if (type.equals(f.getString("type"))) {
        return f;
      }
    }
  }

  /** A frame if one arrives within the time, else null. */
  public JsonObject poll(long millis) {
    try {
      return frames.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<Close> closeFuture() {
    return closed.future();
  }

  /** Waits for the broker to close the session. */
  public Close awaitClose() {
    return Await.result(closed.future(), 15);
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  public void send(String text) {
    Await.result(ws.writeTextMessage(text));
  }

  public void send(JsonObject frame) {
    send(frame.encode());
  }

  public WebSocket socket() {
    return ws;
  }

  public void close() {
    if (!isClosed()) {
      Await.result(ws.close());
    }
  }

  /** Thrown for a refused handshake. */
  public static final class RefusedException extends RuntimeException {
    public final Refusal refusal;

    RefusedException(Refusal refusal) {
      super("refused: " + refusal, null, false, false);
      this.refusal = refusal;
    }
  }
}
