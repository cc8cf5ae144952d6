package io.delegatebroker.broker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.api.error.BrokerException;
import io.delegatebroker.api.error.ErrorCode;
import io.delegatebroker.api.vocabulary.DelegateStatus;
import io.delegatebroker.broker.domain.Delegate;
import io.delegatebroker.broker.domain.store.BrokerStore;
import io.delegatebroker.broker.store.pg.Migrations;
import io.delegatebroker.broker.store.pg.PgStore;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Verifies that the PostgreSQL store keeps the store contract, on a throwaway database migrated the way a node
 * migrates it; plus what only a durable store can promise: migrations run once, rejections survive reconnects.
 */
class PgStoreContractTest extends BrokerStoreContract {

  private TestDatabase db;
  private Vertx vertx;
  private PgConnectOptions connect;
  private PgStore store;

  @BeforeAll
  void openStore() {
    db = new TestDatabase();
    vertx = Vertx.vertx();
    connect = PgConnectOptions.fromUri(db.url());
    await(Migrations.apply(vertx, connect));
    store = new PgStore(pool());
  }

  /** A pool as a node builds one, with a few connections so that concurrent calls really run at once. */
  private Pool pool() {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(connect).using(vertx).build();
  }

  @AfterAll
  void closeStore() {
    try {
      if (store != null) {
        await(store.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  @Override
  protected BrokerStore store() {
    return store;
  }

  /** Verifies that applying the migrations to a migrated database changes nothing and keeps the data. */
  @Test
  void secondMigrationIsANoOp() {
    // GIVEN a migrated database with an account in it
    String acc = newAccount();
    long applied = db.queryLong("SELECT count(*) FROM flyway_schema_history");

    // WHEN the migrations are applied again, as a second node starting would
    await(Migrations.apply(vertx, connect));

    // THEN no migration ran and the data is still there
    assertEquals(applied, db.queryLong("SELECT count(*) FROM flyway_schema_history"));
    assertTrue(await(store.findAccount(acc)).isPresent());
  }

  /** Verifies that a rejected name stays refused through a new pool, as after a restart of every node. */
  @Test
  void rejectionSurvivesReconnect() {
    // GIVEN a rejected delegate
    String acc = newAccount();
    String id = pendingDelegate(acc, "untrusted", "default", "primary");
    assertTrue(await(store.rejectDelegate(acc, id, event(acc, "delegate.reject", "delegate/" + id))).isPresent());

    // WHEN a new store on new connections registers the name
    PgStore fresh = new PgStore(pool());
    try {
      BrokerException e = failure(fresh.registerDelegate(candidate(acc, "untrusted", DelegateStatus.ACTIVE, "default", "primary")));

      // THEN it is refused
      assertEquals(ErrorCode.DELEGATE_REJECTED, e.code());
      assertTrue(await(fresh.listDelegates(acc, null, null)).isEmpty());
    } finally {
      await(fresh.close());
    }
  }
}
