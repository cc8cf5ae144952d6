package io.delegatebroker.broker.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;

/**
 * Applies the versioned schema ({@code db/migration}) with Flyway over JDBC, on a worker thread. Flyway takes a
 * database lock, so several nodes starting at once migrate the schema exactly once.
 */
public final class Migrations {

  private Migrations() {
  }

  public static Future<Void> apply(Vertx vertx, PgConnectOptions options) {
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
        + "?connectTimeout=5";
    return vertx.executeBlocking(() -> {
      Flyway.configure()
          .dataSource(jdbcUrl, options.getUser(), options.getPassword())
          .locations("classpath:db/migration")
          .load()
          .migrate();
      return null;
    });
  }
}
