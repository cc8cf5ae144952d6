package io.delegatebroker.broker.app;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.delegatebroker.broker.net.PendingConnections;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * One HTTP listener on one event loop; deployed once per event loop so that both listeners use every core.
 * Deployment fails when the port cannot be bound. Requests the HTTP decoder refused (headers over the limit, a
 * request line too long, bytes that are not HTTP) go to the invalid-request handler, which answers with the
 * contract's JSON error instead of Vert.x's empty one. Connections waiting for a request are bounded by the
 * listener's {@link PendingConnections}.
 */
final class ServerVerticle extends VerticleBase {

  /**
   * The request handler and the invalid-request handler of a listener, made per verticle instance, and an optional
   * handler of each new connection (null: none).
   */
  record Handlers(Handler<HttpServerRequest> requests, Handler<HttpServerRequest> invalid,
      Handler<HttpConnection> connections) {

    Handlers(Handler<HttpServerRequest> requests, Handler<HttpServerRequest> invalid) {
      this(requests, invalid, null);
    }
  }

  private final HttpServerOptions options;
  private final Function<Vertx, Handlers> handlers;
  private final PendingConnections pending;
  private HttpServer server;

  ServerVerticle(HttpServerOptions options, Function<Vertx, Handlers> handlers,
      PendingConnections pending) {
    this.options = options;
    this.handlers = handlers;
    this.pending = pending;
  }

  @Override
  public Future<?> start() {
    Handlers h = handlers.apply(vertx);
    server = vertx.createHttpServer(options)
        .connectionHandler(conn -> {
          pending.accepted(conn);
          if (h.connections() != null) {
            h.connections().handle(conn);
          }
        })
        .requestHandler(req -> {
          // The connection stops waiting once a request's headers are in, and waits again once it is answered,
          // unless the answer was an upgrade: a WebSocket is the idle reaper's business.
          HttpConnection conn = req.connection();
          pending.requestArrived(conn);
          req.response().endHandler(v -> {
            if (req.response().getStatusCode() != 101) {
              pending.answered(conn);
            }
          });
          h.requests().handle(req);
        })
        .invalidRequestHandler(h.invalid());
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
