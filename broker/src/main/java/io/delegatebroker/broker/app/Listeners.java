package io.delegatebroker.broker.app;

import io.delegatebroker.api.console.ConsoleRoutes;
import io.delegatebroker.api.routes.AdminRouter;
import io.delegatebroker.api.routes.ErrorResponses;
import io.delegatebroker.broker.app.BrokerApplication.Wired;
import io.delegatebroker.broker.gateway.BoundedDeflate;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.net.PendingConnections;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Binds the two listeners: the delegate port on every event loop, then the admin port (API, console, health and
 * metrics) on one. Fails with a {@link StartupException} naming the port that could not be bound.
 */
final class Listeners {

  private Listeners() {
  }

  static Future<Void> start(Vertx vertx, BrokerConfig config, Wired wired, PrometheusMeterRegistry registry,
      Supplier<Future<Void>> ready) {
    int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
    HttpServerOptions delegateOptions = ListenerOptions.delegate(config);
    BoundedDeflate deflate = new BoundedDeflate(BrokerLimits.MAX_MESSAGE_BYTES,
        delegateOptions.getWebSocketCompressionLevel());
    return deploy(vertx, delegateOptions, loops,
        v -> new ServerVerticle.Handlers(wired.gateway(), wired.gateway()::invalid, deflate),
        wired.delegatePending(), "delegate port " + config.delegatePort())
        .compose(x -> deploy(vertx, ListenerOptions.admin(config), 1, v -> {
          Router router = Router.router(v);
          HealthRoutes.mount(router, ready, registry);
          wired.admin().mount(v, router);
          ConsoleRoutes.mount(router);
          AdminRouter.mountFallbacks(router);
          return new ServerVerticle.Handlers(router,
              req -> ErrorResponses.sendInvalid(req, ErrorResponses.invalidRequest(req)));
        }, wired.adminPending(), "admin port " + config.adminPort()));
  }

  private static Future<Void> deploy(Vertx vertx, HttpServerOptions options, int instances,
      Function<Vertx, ServerVerticle.Handlers> handlers, PendingConnections pending, String what) {
    return vertx.deployVerticle(() -> new ServerVerticle(options, handlers, pending),
            new DeploymentOptions().setInstances(instances))
        .recover(t -> Future.failedFuture(
            new StartupException("cannot listen on " + what + ": " + StartupException.rootMessage(t))))
        .mapEmpty();
  }
}
