package io.delegatebroker.loadtest;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor the broker is measured against: a bare Vert.x 5 WebSocket server with the broker's delegate-port
 * options and threading (one listener per event loop), that accepts every upgrade on {@code /v1/delegates/connect}
 * with no authentication, no session index, no metrics and no logging per connection. It speaks just enough of
 * the contract for the same clients to work: a welcome-like first frame, and {@code heartbeat_ack} for every
 * {@code heartbeat}.
 *
 * <p>Usage: {@code java -cp loadtest/target/loadtest-tools.jar io.delegatebroker.loadtest.BaselineServer
 * [--port 18090] [--host 127.0.0.1] [--heartbeat-seconds 30] [--admin-port 0]}. Stops on SIGTERM.
 *
 * <p>With {@code --admin-port}, {@code POST /close-all} on that port closes every open session with the broker's
 * revocation close (4001 {@code token_revoked}) and answers {@code {"closed":N}}: the floor of a mass revocation, the
 * way the broker closes a node's sessions (one task per event loop, each closing the sockets it owns).
 */
public final class BaselineServer {

  static final String PATH = "/v1/delegates/connect";

  private BaselineServer() {
  }

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    int port = a.integer("port", 18090);
    String host = a.string("host", "127.0.0.1");
    int heartbeatSeconds = a.integer("heartbeat-seconds", 30);
    int adminPort = a.integer("admin-port", 0);
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    Map<ServerWebSocket, Context> sessions = new ConcurrentHashMap<>();

    Vertx vertx = Vertx.vertx();
    AtomicInteger open = new AtomicInteger();
    AtomicLong accepted = new AtomicLong();
    // Same listener options as the broker's delegate port (ListenerOptions#delegate), so the only difference is the
    // broker.
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setReuseAddress(true)
        .setMaxWebSocketFrameSize(128 * 1024)
        .setMaxWebSocketMessageSize(128 * 1024)
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(16 * 1024)
        .setIdleTimeout(0);
    String welcome = new JsonObject()
        .put("type", "welcome")
        .put("delegateId", "baseline")
        .put("instance", "baseline")
        .put("status", "ACTIVE")
        .put("node", "baseline")
        .put("heartbeatSeconds", heartbeatSeconds)
        .encode();
    String ack = new JsonObject().put("type", "heartbeat_ack").encode();

    vertx.deployVerticle(() -> new Listener(options, req -> {
      if (!PATH.equals(req.path()) || !req.canUpgradeToWebSocket()) {
        req.response().setStatusCode(404).end();
        return;
      }
      req.toWebSocket().onSuccess(ws -> {
        open.incrementAndGet();
        accepted.incrementAndGet();
        sessions.put(ws, Vertx.currentContext());
        ws.closeHandler(v -> {
          open.decrementAndGet();
          sessions.remove(ws);
        });
        ws.textMessageHandler(text -> onText(ws, text, ack));
        ws.writeTextMessage(welcome);
      });
    }), new DeploymentOptions().setInstances(loops))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (adminPort > 0) {
      vertx.createHttpServer().requestHandler(req -> {
        if (req.method() == HttpMethod.POST && "/close-all".equals(req.path())) {
          req.response().putHeader("content-type", "application/json")
              .end(new JsonObject().put("closed", closeAll(sessions)).encode());
        } else {
          req.response().setStatusCode(404).end();
        }
      }).listen(adminPort, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("baseline: POST http://" + host + ":" + adminPort + "/close-all closes every session");
    }
    System.out.println("baseline: accepting WebSockets on " + host + ":" + port + PATH + " with " + loops
        + " event loops, pid " + ProcessHandle.current().pid());

    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("baseline: stopping with " + open.get() + " open sessions (" + accepted.get() + " accepted)");
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
      done.countDown();
    }, "baseline-stop"));
    done.await();
  }

  /** Closes every session with 4001, one task per event loop for the sockets it owns. @return how many */
  private static int closeAll(Map<ServerWebSocket, Context> sessions) {
    Map<Context, List<ServerWebSocket>> byLoop = new HashMap<>();
    sessions.forEach((ws, ctx) -> byLoop.computeIfAbsent(ctx, c -> new ArrayList<>()).add(ws));
    int n = 0;
    for (Map.Entry<Context, List<ServerWebSocket>> e : byLoop.entrySet()) {
      n += e.getValue().size();
      e.getKey().runOnContext(v -> e.getValue().forEach(ws -> ws.close((short) 4001, "token_revoked")));
    }
    return n;
  }

  /** Parses the frame as JSON, as the broker does, and answers heartbeats; everything else is ignored. */
  private static void onText(ServerWebSocket ws, String text, String ack) {
    try {
      if ("heartbeat".equals(new JsonObject(text).getValue("type"))) {
        ws.writeTextMessage(ack);
      }
    } catch (RuntimeException e) {
      ws.close((short) 1008, "policy_violation");
    }
  }

  /** One listener per event loop, as in the broker. */
  private static final class Listener extends VerticleBase {
    private final HttpServerOptions options;
    private final Handler<HttpServerRequest> handler;
    private HttpServer server;

    Listener(HttpServerOptions options, Handler<HttpServerRequest> handler) {
      this.options = options;
      this.handler = handler;
    }

    @Override
    public Future<?> start() {
      server = vertx.createHttpServer(options).requestHandler(handler);
      return server.listen();
    }
  }
}
