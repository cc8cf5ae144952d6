package io.delegatebroker.broker.app;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * One HTTP listener on one event loop; deployed once per event loop so that both listeners use every core.
 * Deployment fails when the port cannot be bound. Requests the HTTP decoder refused (headers over the limit, a
 * request line too long, bytes that are not HTTP) go to the invalid-request handler, which answers with the
 * contract's JSON error instead of Vert.x's empty one.
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
  private final Function<io.vertx.core.Vertx, Handlers> handlers;
  private HttpServer server;

  ServerVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, Handlers> handlers) {
    this.options = options;
    this.handlers = handlers;
  }

  @Override
  public Future<?> start() {
    Handlers h = handlers.apply(vertx);
    server = vertx.createHttpServer(options).requestHandler(h.requests()).invalidRequestHandler(h.invalid());
    if (h.connections() != null) {
      server.connectionHandler(h.connections());
    }
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
