package io.delegatebroker.broker.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.Supplier;

/**
 * The admin port's routes outside the API, for the platform rather than operators: liveness, readiness (200 or 503
 * as the node's readiness check says) and the Prometheus scrape.
 */
final class HealthRoutes {

  private HealthRoutes() {
  }

  static void mount(Router router, Supplier<Future<Void>> ready, PrometheusMeterRegistry registry) {
    router.get("/health/live").handler(ctx -> ctx.response().end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(ctx -> ready.get().onComplete(ar -> ctx.response()
        .setStatusCode(ar.succeeded() ? 200 : 503).putHeader("content-type", "application/json")
        .end(ar.succeeded() ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}")));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }
}
