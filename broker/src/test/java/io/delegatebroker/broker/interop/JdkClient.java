package io.delegatebroker.broker.interop;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The JDK's {@code java.net.http.WebSocket} at its default settings, driven by the same commands as the scripts. It
 * answers pings and closes by itself and offers no compression; it has no keepalive of its own, so when the test asks
 * for one it pings on an interval, as an application would.
 */
final class JdkClient extends InteropClient {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "jdk-ws-keepalive");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Conn> conns = new ConcurrentHashMap<>();

  @Override
  String library() {
    return "java.net.http.WebSocket " + Runtime.version().feature();
  }

  @Override
  boolean offersCompression() {
    return false;
  }

  @Override
  void command(JsonObject c) {
    String id = c.getString("conn");
    Conn conn = conns.get(id);
    switch (c.getString("op")) {
      case "connect" -> connect(id, c);
      case "text" -> conn.then(ws -> ws.sendText(c.getString("data"), true));
      case "fragments" -> {
        JsonArray parts = c.getJsonArray("parts");
        for (int i = 0; i < parts.size(); i++) {
          String part = parts.getString(i);
          boolean last = i == parts.size() - 1;
          conn.then(ws -> ws.sendText(part, last));
        }
      }
      case "pong" -> conn.then(ws -> ws.sendPong(ByteBuffer.allocate(0)));
      case "close" -> conn.then(ws -> ws.sendClose(c.getInteger("code"), c.getString("reason")));
      case "stats" -> event(new JsonObject().put("conn", id).put("event", "stats").putNull("latency")
          .put("pongsReceived", conn.pongs.get()).put("pingsReceived", conn.pings.get()));
      default -> throw new IllegalArgumentException("unknown op " + c);
    }
  }

  private void connect(String id, JsonObject c) {
    Conn conn = new Conn(id);
    conns.put(id, conn);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    c.getJsonObject("headers").forEach(h -> builder.header(h.getKey(), h.getValue().toString()));
    conn.pingInterval = c.getDouble("pingInterval");
    conn.tail = builder.buildAsync(URI.create(c.getString("url")), conn).whenComplete((ws, t) -> {
      if (t == null) {
        return;
      }
      if (t.getCause() instanceof WebSocketHandshakeException h) {
        event(new JsonObject().put("conn", id).put("event", "refused").put("status", h.getResponse().statusCode()));
      } else {
        event(new JsonObject().put("conn", id).put("event", "error").put("message", String.valueOf(t)));
      }
    });
  }

  /** One connection: its listener, and its sends chained (the JDK allows one outstanding send at a time). */
  private final class Conn implements WebSocket.Listener {
    private final String id;
    private final StringBuilder text = new StringBuilder();
    private final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger pongs = new AtomicInteger();
    private CompletableFuture<WebSocket> tail;
    private Double pingInterval;

    Conn(String id) {
      this.id = id;
    }

    /** Runs before any message of the connection is delivered. */
    @Override
    public void onOpen(WebSocket ws) {
      event(new JsonObject().put("conn", id).put("event", "open").put("extensions", ""));
      if (pingInterval != null) {
        long millis = (long) (pingInterval * 1000);
        timer.scheduleAtFixedRate(() -> {
          if (!ws.isOutputClosed()) {
            then(w -> w.sendPing(ByteBuffer.allocate(0)));
          }
        }, millis, millis, TimeUnit.MILLISECONDS);
      }
      ws.request(1);
    }

    synchronized void then(Function<WebSocket, CompletableFuture<WebSocket>> send) {
      tail = tail.thenCompose(send).exceptionally(t -> {
        event(new JsonObject().put("conn", id).put("event", "error").put("message", String.valueOf(t)));
        return null;
      }).thenCompose(ws -> ws == null ? CompletableFuture.failedFuture(new IllegalStateException("send failed"))
          : CompletableFuture.completedFuture(ws));
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        event(new JsonObject().put("conn", id).put("event", "text").put("data", text.toString()));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      pings.incrementAndGet();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      pongs.incrementAndGet();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      event(new JsonObject().put("conn", id).put("event", "close").put("code", code).put("reason", reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      event(new JsonObject().put("conn", id).put("event", "error").put("message", String.valueOf(error)));
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    conns.values().forEach(c -> c.tail.thenAccept(WebSocket::abort));
  }
}
