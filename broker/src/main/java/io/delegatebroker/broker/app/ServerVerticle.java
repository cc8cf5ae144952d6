package io.delegatebroker.broker.app;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Function;

/**
 * One HTTP listener on one event loop; deployed once per event loop so that both listeners use every core.
 * Deployment fails when the port cannot be bound.
 */
final class ServerVerticle extends VerticleBase {

  private final HttpServerOptions options;
  private final Function<io.vertx.core.Vertx, Handler<HttpServerRequest>> handler;
  private HttpServer server;

  ServerVerticle(HttpServerOptions options, Function<io.vertx.core.Vertx, Handler<HttpServerRequest>> handler) {
    this.options = options;
    this.handler = handler;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options).requestHandler(handler.apply(vertx));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
