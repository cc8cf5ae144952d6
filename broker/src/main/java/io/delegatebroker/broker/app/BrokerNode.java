package io.delegatebroker.broker.app;

import io.delegatebroker.broker.app.BrokerApplication.Wired;
import io.delegatebroker.broker.cluster.ClusterSupport;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.SessionIndex;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node: starts (clustered Vert.x, store, the graph {@link BrokerApplication} builds, listeners), reports
 * ready, drains and stops. Start either completes with every listener bound and the store reachable, or fails and
 * leaves nothing running.
 */
public final class BrokerNode {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);
  /** The {@code pool_name} label of the PostgreSQL pool's {@code vertx_pool_*} series. */
  public static final String STORE_POOL_NAME = "broker-store";

  private final BrokerConfig config;
  private final AtomicBoolean accepting = new AtomicBoolean(false);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Vertx vertx;
  private BrokerStore store;
  private ClusterSupport cluster;
  private Wired wired;

  public BrokerNode(BrokerConfig config) {
    this.config = config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public String nodeId() {
    return config.nodeId();
  }

  public SessionIndex sessions() {
    return wired == null ? null : wired.sessions();
  }

  /** The registry served at {@code /metrics}; it stays readable after the node stopped. */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** Starts the node. The future fails with a one-line cause when any part cannot start. */
  public Future<BrokerNode> start() {
    registry.config().commonTags("node", config.nodeId());
    cluster = new ClusterSupport(VertxSetup.clusterSettings(config));
    return cluster.createVertx(VertxSetup.options(), new MicrometerMetricsFactory(registry))
        .compose(v -> {
          vertx = v;
          return StoreOpener.open(v, config);
        })
        .compose(s -> {
          store = s;
          wired = BrokerApplication.build(vertx, config, s, cluster, registry, accepting::get);
          return Listeners.start(vertx, config, wired, registry, this::ready);
        })
        .map(v -> {
          accepting.set(true);
          LOG.info("broker node {} ready: {}", config.nodeId(), config);
          return this;
        })
        .recover(t -> Future.fromCompletionStage(stop().handle((v, x) -> null)).compose(x -> Future.failedFuture(t)));
  }

  /** Ready: accepting delegates, the store answers and the cluster is formed. */
  public Future<Void> ready() {
    if (!accepting.get()) {
      return Future.failedFuture("draining");
    }
    return store.ping().compose(v -> cluster.healthy() ? Future.succeededFuture() : Future.failedFuture("cluster"));
  }

  /**
   * The first step of a drain, on its own: from now on {@code /health/ready} answers 503 and new delegates are refused
   * with 503 {@code unavailable}, while sessions already open stay open. {@link #drain()} does this first.
   */
  public void stopAccepting() {
    accepting.set(false);
  }

  /** Drains: stops accepting, closes every session with 1001, flushes, leaves the cluster and stops. */
  public CompletableFuture<Void> drain() {
    stopAccepting();
    if (wired != null) {
      int n = wired.sessions().evictAll(wired.sessions().all(), CloseReason.GOING_AWAY);
      LOG.info("draining node {}: closed {} sessions", config.nodeId(), n);
    }
    return stop();
  }

  /**
   * Stops everything this node started. Vert.x itself is closed from a plain thread, never from one of its own event
   * loops, and the returned stage completes on that thread: a continuation queued on an event loop that is shutting
   * down would never run.
   */
  private CompletableFuture<Void> stop() {
    accepting.set(false);
    Future<Void> flushed = wired == null ? Future.succeededFuture() : wired.stop();
    CompletableFuture<Void> beforeClose = flushed
        .compose(v -> store == null ? Future.succeededFuture() : store.close().recover(t -> Future.succeededFuture()))
        .toCompletionStage().toCompletableFuture();
    return beforeClose.handle((v, t) -> null).thenRunAsync(() -> {
      if (vertx != null) {
        try {
          vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("Vert.x did not close cleanly: {}", StartupException.rootMessage(e));
        }
      }
      if (cluster != null) {
        cluster.leave();
      }
      LOG.info("node {} stopped", config.nodeId());
    });
  }
}
