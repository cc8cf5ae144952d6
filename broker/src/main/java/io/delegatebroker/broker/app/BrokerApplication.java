package io.delegatebroker.broker.app;

import io.delegatebroker.api.routes.AdminRouter;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.broker.cluster.ClusterService;
import io.delegatebroker.broker.cluster.ClusterSupport;
import io.delegatebroker.broker.cluster.NodeCommandBus;
import io.delegatebroker.broker.domain.ListingGate;
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
import io.delegatebroker.broker.gateway.DelegateGateway;
import io.delegatebroker.broker.gateway.FailedHandshakeLimiter;
import io.delegatebroker.broker.gateway.HandshakeThrottle;
import io.delegatebroker.broker.gateway.SessionFrames;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.metrics.EventLoopMonitor;
import io.delegatebroker.broker.metrics.MicrometerBrokerMetrics;
import io.delegatebroker.broker.net.ClientAddresses;
import io.delegatebroker.broker.net.PendingConnections;
import io.delegatebroker.broker.net.RefusalLog;
import io.delegatebroker.broker.session.CloseReason;
import io.delegatebroker.broker.session.IdleReaper;
import io.delegatebroker.broker.session.SessionCommands;
import io.delegatebroker.broker.session.SessionEndLog;
import io.delegatebroker.broker.session.SessionIndex;
import io.delegatebroker.broker.session.Tombstones;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/**
 * Builds one node's object graph on an open store and a clustered Vert.x: metrics, the session index, domain
 * services, the delegate gateway and the admin API, each given its limits from {@link BrokerLimits}; starts the
 * periodic tasks. Listeners are started by {@link Listeners}; this class binds nothing.
 */
final class BrokerApplication {

  /** What the node keeps of the graph: to start its listeners, drain and stop in order. */
  record Wired(SessionIndex sessions, LastUsedRecorder lastUsed, ExpiryWatcher expiry, DelegateGateway gateway,
      AdminRouter admin, PendingConnections delegatePending, PendingConnections adminPending) {

    /** Stops the expiry timers and flushes the last-used times still buffered for the store. */
    Future<Void> stop() {
      expiry.stop();
      return lastUsed.stop();
    }
  }

  private BrokerApplication() {
  }

  static Wired build(Vertx vertx, BrokerConfig config, BrokerStore store, ClusterSupport cluster,
      PrometheusMeterRegistry registry, BooleanSupplier accepting) {
    BrokerLimits limits = config.limits();
    MicrometerBrokerMetrics metrics = new MicrometerBrokerMetrics(registry,
        Arrays.stream(CloseReason.values()).map(CloseReason::cause).toList());
    new EventLoopMonitor(registry).start(vertx);
    Tombstones tombstones = new Tombstones();
    SessionIndex index = new SessionIndex(tombstones, new SessionEndLog(config.nodeId(), metrics::sessionEnded));
    metrics.gauge("broker_sessions", "Live delegate sessions on this node by status", () -> index.count(false),
        "status", DelegateStatus.ACTIVE.name());
    metrics.gauge("broker_sessions", "Live delegate sessions on this node by status", () -> index.count(true),
        "status", DelegateStatus.PENDING_APPROVAL.name());
    var tokenLookups = metrics.counter("broker_token_store_lookups", "Token verifications that had to query the store");
    TokenVerifier verifier = new TokenVerifier(hash -> {
      tokenLookups.increment();
      return store.findTokenByHash(hash);
    }, tombstones, limits.tokenCacheEntries());
    ProfileDirectory profiles = new ProfileDirectory(store);
    DelegateRegistry delegates = new DelegateRegistry(store);
    SessionCommands commands = new SessionCommands(config.nodeId(), index, verifier::forget, delegates::forget,
        profiles::forget, metrics::revocationLatency);
    LastUsedRecorder lastUsed = new LastUsedRecorder(store);
    lastUsed.start(vertx);
    ExpiryWatcher expiry = new ExpiryWatcher(vertx, index);
    NodeCommandBus bus = cluster.commandBus(vertx, commands, index);
    metrics.gauge("broker_cluster_nodes", "Nodes in the cluster as this node sees it", () -> bus.liveNodes().size());
    AccountService accounts = new AccountService(store, config.adminKey());
    ListingGate listings = new ListingGate(limits.listingsPerAccount(), limits.listingsWaiting());
    AdminRouter admin = new AdminRouter(accounts, accounts,
        new TokenService(store, accounts, bus, lastUsed, listings),
        new ProfileService(store, accounts, bus),
        new DelegateService(store, accounts, bus, listings),
        new ClusterService(bus));
    new TokenSafetyNet(store, index, verifier, limits.safetyNetPeriod(), limits.safetyNetBatch()).start(vertx);
    new DelegateReconciler(store, index, delegates).start(vertx);
    new IdleReaper(index, Duration.ofSeconds(config.heartbeatSeconds())).start(vertx);
    vertx.setPeriodic(limits.tombstonePurgePeriod().toMillis(),
        id -> tombstones.purgeOlderThan(System.currentTimeMillis() - Tombstones.RETENTION_MILLIS));
    ConnectAdmission admission = new ConnectAdmission(verifier, profiles, delegates);
    SessionFrames frames = new SessionFrames(index, vertx.eventBus(), limits.framesPerSecond());
    FailedHandshakeLimiter limiter = new FailedHandshakeLimiter(limits.handshakeFailureLimit(),
        limits.handshakeFailureWindow(), limits.handshakeFailureKeys());
    metrics.gauge("broker_rate_limited_addresses",
        "Source addresses (and address-token pairs) with failed handshakes in the current window",
        limiter::trackedAddresses);
    ClientAddresses clients = new ClientAddresses(config.trustedProxies());
    RefusalLog refusals = new RefusalLog(LoggerFactory.getLogger(DelegateGateway.class), config.nodeId(),
        limits.refusalLogLines(), Duration.ofSeconds(limits.refusalLogIntervalSeconds()), limits.refusalLogAddresses());
    refusals.start(vertx);
    Duration handshakeDeadline = Duration.ofSeconds(limits.handshakeTimeoutSeconds());
    PendingConnections delegatePending = PendingConnectionsFactory.create("delegate", handshakeDeadline,
        handshakeDeadline, limits, clients, refusals, metrics);
    PendingConnections adminPending = PendingConnectionsFactory.create("admin", handshakeDeadline,
        Duration.ofSeconds(limits.adminIdleTimeoutSeconds()), limits, clients, refusals, metrics);
    DelegateGateway gateway = new DelegateGateway(config.nodeId(), config.heartbeatSeconds(), admission, index, frames,
        expiry, lastUsed, new HandshakeThrottle(limiter, verifier::knownLive), clients, refusals, metrics, accepting);
    return new Wired(index, lastUsed, expiry, gateway, admin, delegatePending, adminPending);
  }
}
