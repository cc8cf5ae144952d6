package io.delegatebroker.broker.app;

import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.limits.BrokerLimits;
import io.delegatebroker.broker.store.memory.MemoryStore;
import io.delegatebroker.broker.store.pg.Migrations;
import io.delegatebroker.broker.store.pg.PgStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the node's store: the in-memory one in dev mode without a URL, else PostgreSQL, migrated and pinged, behind a
 * pool bounded by {@link BrokerLimits}. Fails with a {@link StartupException} naming where the database was sought.
 */
final class StoreOpener {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerNode.class);

  private StoreOpener() {
  }

  static Future<BrokerStore> open(Vertx vertx, BrokerConfig config) {
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
    BrokerLimits limits = config.limits();
    return Migrations.apply(vertx, connect)
        .recover(t -> Future.failedFuture(new StartupException("database unreachable or schema migration failed at "
            + where + ": " + StartupException.rootMessage(t))))
        .map(v -> {
          var pool = PgBuilder.pool()
              .with(new PoolOptions().setName(BrokerNode.STORE_POOL_NAME).setMaxSize(limits.storePoolSize())
                  .setMaxWaitQueueSize(limits.storePoolWaiting())
                  .setConnectionTimeout((int) limits.storePoolWait().toMillis())
                  .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
              // Bounded connects: a database host that drops packets must not hold pool slots for the 60 s default.
              .with(new NetClientOptions().setConnectTimeout((int) limits.storeConnectTimeout().toMillis()))
              .connectingTo(connect).using(vertx).build();
          return (BrokerStore) new PgStore(pool, limits.storeCallDeadline());
        })
        .compose(s -> s.ping().map(s).recover(t -> Future.failedFuture(
            new StartupException("database unreachable at " + where))));
  }
}
