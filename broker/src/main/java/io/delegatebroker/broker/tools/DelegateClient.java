package io.delegatebroker.broker.tools;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A tiny delegate for trying the broker from a terminal: connects, prints every frame it receives, and heartbeats.
 * Usage: {@code java -cp broker/target/broker.jar io.delegatebroker.broker.tools.DelegateClient
 * ws://127.0.0.1:8080 <account id> <delegate name> [instance] [profile]} with the token in {@code DELEGATE_TOKEN}.
 */
public final class DelegateClient {

  /** Held in a field: Vert.x closes a client that is no longer referenced. */
  private static io.vertx.core.http.WebSocketClient client;

  private DelegateClient() {
  }

  public static void main(String[] args) {
    if (args.length < 3 || System.getenv("DELEGATE_TOKEN") == null) {
      System.err.println("usage: DELEGATE_TOKEN=<token> DelegateClient ws://host:port <account> <delegate> [instance] [profile]");
      System.exit(2);
    }
    java.net.URI uri = java.net.URI.create(args[0]);
    Vertx vertx = Vertx.vertx();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(uri.getHost()).setPort(uri.getPort()).setSsl("wss".equals(uri.getScheme()))
        .setURI("/v1/delegates/connect")
        .addHeader("Authorization", "Delegate " + System.getenv("DELEGATE_TOKEN"))
        .addHeader("X-Account-Id", args[1])
        .addHeader("X-Delegate-Name", args[2]);
    if (args.length > 3) {
      options.addHeader("X-Delegate-Instance", args[3]);
    }
    if (args.length > 4) {
      options.addHeader("X-Delegate-Profile", args[4]);
    }
    client = vertx.createWebSocketClient(new WebSocketClientOptions());
    // Handlers first: the broker sends welcome at once, and a frame arriving before its handler would be lost.
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> {
      System.out.println("<- " + text);
      JsonObject frame = new JsonObject(text);
      if ("welcome".equals(frame.getString("type"))) {
        long period = frame.getInteger("heartbeatSeconds", 30) * 1000L;
        vertx.setPeriodic(period, id -> ws.writeTextMessage("{\"type\":\"heartbeat\"}"));
      }
    });
    ws.closeHandler(v -> {
      System.out.println("closed: " + ws.closeStatusCode() + " " + ws.closeReason());
      vertx.close().onComplete(x -> System.exit(0));
    });
    ws.connect(options).onFailure(t -> {
      System.err.println("connect refused: " + t.getMessage());
      vertx.close().onComplete(x -> System.exit(1));
    });
  }
}
