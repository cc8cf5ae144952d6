package io.delegatebroker.broker.app;

import io.delegatebroker.api.console.ConsoleRoutes;
import io.delegatebroker.api.routes.AdminRouter;
import io.delegatebroker.api.routes.ErrorResponses;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.broker.cluster.ClusterService;
import io.delegatebroker.broker.cluster.ClusterSettings;
import io.delegatebroker.broker.cluster.ClusterSupport;
import io.delegatebroker.broker.domain.account.AccountService;
import io.delegatebroker.broker.domain.delegate.ConnectAdmission;
import io.delegatebroker.broker.domain.delegate.DelegateReconciler;
import io.delegatebroker.broker.domain.delegate.DelegateRegistry;
import io.delegatebroker.broker.domain.delegate.DelegateService;
import io.delegatebroker.broker.domain.profile.ProfileDirectory;
import io.delegatebroker.broker.domain.profile.ProfileService;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.domain.token.ExpiryWatcher;
import io.delegatebroker.broker.domain.token.LastUsedRecorder;
import io.delegatebroker.broker.domain.token.TokenSafetyNet;
import io.delegatebroker.broker.domain.token.TokenService;
import io.delegatebroker.broker.domain.token.TokenVerifier;
import io.delegatebroker.broker.gateway.BoundedDeflate;
import io.delegatebroker.broker.gateway.DelegateGateway;
import io.delegatebroker.broker.gateway.FailedHandshakeLimiter;
import io.delegatebroker.broker.gateway.HandshakeThrottle;
import io.delegatebroker.broker.net.ClientAddresses;
import io.delegatebroker.broker.net.PendingConnections;
import io.delegatebroker.broker.net.RefusalLog;
import io.delegatebroker.broker.gateway.SessionFrames;
import io.delegatebroker.broker.domain.ListingGate;
import io.delegatebroker.broker.metrics.EventLoopMonitor;
import io.delegatebroker.broker.metrics.MicrometerBrokerMetrics;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.IdleReaper;
import io.delegatebroker.broker.session.SessionCommands;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.session.Tombstones;
import io.delegatebroker.broker.store.memory.MemoryStore;
import io.delegatebroker.broker.store.pg.Migrations;
import io.delegatebroker.broker.store.pg.PgStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker node, wired: store, cluster, domain services, the delegate gateway and the admin API. Start either
 * completes with every listener bound and the store reachable, or fails and leaves nothing running.
 */
public final class BrokerNode {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);
  /** The {@code pool_name} label of the PostgreSQL pool's {@code vertx_pool_*} series. */
  public static final String STORE_POOL_NAME = "broker-store";

  private final BrokerConfig config;
  private final AtomicBoolean accepting = new AtomicBoolean(false);
  private Vertx vertx;
  private BrokerStore store;
  private SessionIndex index;
  private LastUsedRecorder lastUsed;
  private ExpiryWatcher expiry;
  private ClusterSupport cluster;
  private PrometheusMeterRegistry registry;

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
    return index;
  }

  /** The registry served at {@code /metrics}; it stays readable after the node stopped. */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** Starts the node. The future fails with a one-line cause when any part cannot start. */
  public Future<BrokerNode> start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", config.nodeId());
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))
        .setBlockedThreadCheckInterval(1000)
        .setMaxEventLoopExecuteTime(2)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS);
    cluster = new ClusterSupport(new ClusterSettings(config.clusterMembers(), config.clusterPort(),
        config.hazelcastConfig(), config.clusterName(), config.clusterHost(), config.nodeId()));
    return cluster.createVertx(options, new MicrometerMetricsFactory(registry))
        .compose(v -> {
          this.vertx = v;
          return openStore();
        })
        .compose(s -> {
          this.store = s;
          return wire(registry);
        })
        .map(v -> {
          accepting.set(true);
          LOG.info("broker node {} ready: {}", config.nodeId(), config);
          return this;
        })
        .recover(t -> Future.fromCompletionStage(stop().handle((v, x) -> null)).compose(x -> Future.failedFuture(t)));
  }

  private Future<BrokerStore> openStore() {
    if (config.pgUrl() == null) {
      LOG.warn("Using the in-memory store (BROKER_DEV=true): nothing survives a restart");
      return Future.succeededFuture(new MemoryStore());
    }
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(config.pgUrl().replaceFirst("^postgres://", "postgresql://"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new StartupException("BROKER_PG_URL cannot be parsed"));
    }
    connect.setReconnectAttempts(0);
    String where = connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    return Migrations.apply(vertx, connect)
        .recover(t -> Future.failedFuture(new StartupException("database unreachable or schema migration failed at "
            + where + ": " + rootMessage(t))))
        .map(v -> {
          var pool = PgBuilder.pool()
              .with(new PoolOptions().setName(STORE_POOL_NAME).setMaxSize(8).setMaxWaitQueueSize(10_000).setConnectionTimeout(5)
                  .setConnectionTimeoutUnit(TimeUnit.SECONDS))
              // Bounded connects: a database host that drops packets must not hold pool slots for the 60 s default.
              .with(new NetClientOptions().setConnectTimeout((int) PgStore.CALL_DEADLINE.toMillis()))
              .connectingTo(connect).using(vertx).build();
          return (BrokerStore) new PgStore(pool);
        })
        .compose(s -> s.ping().map(s).recover(t -> Future.failedFuture(
            new StartupException("database unreachable at " + where))));
  }

  private Future<Void> wire(PrometheusMeterRegistry registry) {
    MicrometerBrokerMetrics metrics = new MicrometerBrokerMetrics(registry,
        Arrays.stream(CloseReason.values()).map(CloseReason::cause).toList());
    new EventLoopMonitor(registry).start(vertx);
    Tombstones tombstones = new Tombstones();
    index = new SessionIndex(tombstones, end -> {
      metrics.sessionEnded(end.reason().cause());
      var s = end.session();
      LOG.info("session closed: account={} delegate={} instance={} node={} reason={} code={} delegateId={}",
          s.accountId(), s.delegateName(), s.instance(), config.nodeId(), end.reason().cause(), end.reason().code(),
          s.delegateId());
    });
    metrics.gauge("broker_sessions", "Live delegate sessions on this node by status", () -> index.count(false),
        "status", DelegateStatus.ACTIVE.name());
    metrics.gauge("broker_sessions", "Live delegate sessions on this node by status", () -> index.count(true),
        "status", DelegateStatus.PENDING_APPROVAL.name());
    var tokenLookups = metrics.counter("broker_token_store_lookups", "Token verifications that had to query the store");
    TokenVerifier verifier = new TokenVerifier(hash -> {
      tokenLookups.increment();
      return store.findTokenByHash(hash);
    }, tombstones);
    ProfileDirectory profiles = new ProfileDirectory(store);
    DelegateRegistry registry1 = new DelegateRegistry(store);
    SessionCommands commands = new SessionCommands(config.nodeId(), index, verifier::forget, registry1::forget,
        profiles::forget, metrics::revocationLatency);
    lastUsed = new LastUsedRecorder(store);
    lastUsed.start(vertx);
    expiry = new ExpiryWatcher(vertx, index);
    return Future.succeededFuture(cluster.commandBus(vertx, commands, index)).compose(bus -> {
      metrics.gauge("broker_cluster_nodes", "Nodes in the cluster as this node sees it", () -> bus.liveNodes().size());
      AccountService accounts = new AccountService(store, config.adminKey());
      ListingGate listings = new ListingGate();
      AdminRouter admin = new AdminRouter(accounts, accounts,
          new TokenService(store, accounts, bus, lastUsed, listings),
          new ProfileService(store, accounts, bus),
          new DelegateService(store, accounts, bus, listings),
          new ClusterService(bus));
      new TokenSafetyNet(store, index, verifier).start(vertx);
      new DelegateReconciler(store, index, registry1).start(vertx);
      new IdleReaper(index, Duration.ofSeconds(config.heartbeatSeconds())).start(vertx);
      vertx.setPeriodic(60_000, id -> tombstones.purgeOlderThan(System.currentTimeMillis() - Tombstones.RETENTION_MILLIS));
      ConnectAdmission admission = new ConnectAdmission(verifier, profiles, registry1);
      SessionFrames frames = new SessionFrames(index, vertx.eventBus(), 100);
      FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(config.handshakeFailureLimit(), Duration.ofMinutes(1),
          100_000);
      metrics.gauge("broker_rate_limited_addresses",
          "Source addresses (and address-token pairs) with failed handshakes in the current window",
          limiter::trackedAddresses);
      BrokerConfig.ConnectionLimits limits = config.connections();
      ClientAddresses clients = new ClientAddresses(limits.trustedProxies());
      RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger(DelegateGateway.class), config.nodeId(),
          limits.refusalLogLines(), Duration.ofSeconds(limits.refusalLogIntervalSeconds()), 10_000);
      refusals.start(vertx);
      Duration handshakeDeadline = Duration.ofSeconds(limits.handshakeTimeoutSeconds());
      PendingConnections delegatePending = pending("delegate", handshakeDeadline, handshakeDeadline, limits, clients,
          refusals, metrics);
      PendingConnections adminPending = pending("admin", handshakeDeadline,
          Duration.ofSeconds(limits.adminIdleTimeoutSeconds()), limits, clients, refusals, metrics);
      DelegateGateway gateway = new DelegateGateway(config.nodeId(), config.heartbeatSeconds(), admission, index, frames,
          expiry, lastUsed, new HandshakeThrottle(limiter, verifier::knownLive), clients, refusals, metrics,
          accepting::get);
      int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
      HttpServerOptions delegateOptions = serverOptions(config.delegatePort())
          .setMaxWebSocketFrameSize(2 * SessionFrames.MAX_FRAME_BYTES)
          .setMaxWebSocketMessageSize(2 * SessionFrames.MAX_FRAME_BYTES)
          .setMaxInitialLineLength(4096)
          .setMaxHeaderSize(16 * 1024)
          .setIdleTimeout(0);
      HttpServerOptions adminOptions = serverOptions(config.adminPort()).setMaxHeaderSize(16 * 1024);
      BoundedDeflate deflate = new BoundedDeflate(SessionFrames.MAX_FRAME_BYTES, delegateOptions.getWebSocketCompressionLevel());
      return deploy(delegateOptions, loops, v -> new ServerVerticle.Handlers(gateway, gateway::invalid, deflate),
          delegatePending, "delegate port " + config.delegatePort())
          .compose(x -> deploy(adminOptions, 1, v -> {
            Router router = Router.router(v);
            router.get("/health/live").handler(ctx -> ctx.response().end("{\"status\":\"UP\"}"));
            router.get("/health/ready").handler(ctx -> ready().onComplete(ar -> ctx.response()
                .setStatusCode(ar.succeeded() ? 200 : 503).putHeader("content-type", "application/json")
                .end(ar.succeeded() ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}")));
            router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
            admin.mount(v, router);
            ConsoleRoutes.mount(router);
            AdminRouter.mountFallbacks(router);
            return new ServerVerticle.Handlers(router,
                req -> ErrorResponses.sendInvalid(req, ErrorResponses.invalidRequest(req)));
          }, adminPending, "admin port " + config.adminPort()));
    });
  }

  private HttpServerOptions serverOptions(int port) {
    HttpServerOptions o = new HttpServerOptions().setHost(config.host()).setPort(port).setReuseAddress(true)
        // No h2c on plain text: with it, Vert.x waits for a connection's first bytes (to tell an HTTP/2 preface)
        // before handing it to the connection handler, and a connection that sends nothing would escape
        // PendingConnections. (With TLS, h2c does not apply, and turning it off there stops Vert.x 5.0.10 from
        // completing handshakes: TlsTest.)
        .setHttp2ClearTextEnabled(config.tls());
    if (config.tls()) {
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()))
          // a TLS handshake happens before the connection is handed to PendingConnections: same deadline
          .setSslHandshakeTimeout(config.connections().handshakeTimeoutSeconds())
          .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }
    return o;
  }

  /** The waiting-connection bounds of one listener, with its metrics; closes are counted and summarised in the log. */
  private static PendingConnections pending(String listener, Duration first, Duration next,
      BrokerConfig.ConnectionLimits limits, ClientAddresses clients, RefusalLog refusals, MicrometerBrokerMetrics metrics) {
    Map<PendingConnections.Cause, Counter> closes = new EnumMap<>(PendingConnections.Cause.class);
    for (PendingConnections.Cause reason : PendingConnections.Cause.values()) {
      closes.put(reason, metrics.counter("broker_connections_closed",
          "Connections closed before they sent a request, by listener and reason", "listener", listener,
          "reason", reason.asTag()));
    }
    PendingConnections pending = new PendingConnections(first, next, limits.pendingPerAddress(), limits.pendingTotal(),
        clients, (address, reason) -> {
          closes.get(reason).increment();
          refusals.closed(address, reason.asTag());
        });
    metrics.gauge("broker_pending_connections", "Connections waiting for a complete request, by listener",
        pending::waiting, "listener", listener);
    return pending;
  }

  private Future<Void> deploy(HttpServerOptions options, int instances,
      Function<Vertx, ServerVerticle.Handlers> handlers, PendingConnections pending, String what) {
    return vertx.deployVerticle(() -> new ServerVerticle(options, handlers, pending),
            new DeploymentOptions().setInstances(instances))
        .recover(t -> Future.failedFuture(new StartupException("cannot listen on " + what + ": " + rootMessage(t))))
        .mapEmpty();
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
    if (index != null) {
      int n = index.evictAll(index.all(), CloseReason.GOING_AWAY);
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
    if (expiry != null) {
      expiry.stop();
    }
    Future<Void> flushed = lastUsed == null ? Future.succeededFuture() : lastUsed.stop();
    CompletableFuture<Void> beforeClose = flushed
        .compose(v -> store == null ? Future.succeededFuture() : store.close().recover(t -> Future.succeededFuture()))
        .toCompletionStage().toCompletableFuture();
    return beforeClose.handle((v, t) -> null).thenRunAsync(() -> {
      if (vertx != null) {
        try {
          vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("Vert.x did not close cleanly: {}", rootMessage(e));
        }
      }
      if (cluster != null) {
        cluster.leave();
      }
      LOG.info("node {} stopped", config.nodeId());
    });
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** A start failure with a one-line cause for the operator. */
  public static final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
      super(message, null, false, false);
    }
  }
}
