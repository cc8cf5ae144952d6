package io.delegatebroker.broker.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throwaway PostgreSQL database on the machine's server (127.0.0.1:5432, user postgres, trust auth), created for
 * one test class and dropped after. There is no skipping: when PostgreSQL is unreachable the test fails.
 */
public final class TestDatabase implements AutoCloseable {

  public static final String HOST = System.getProperty("test.pg.host", "127.0.0.1");
  public static final int PORT = Integer.getInteger("test.pg.port", 5432);

  private final String name = "broker_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  public TestDatabase() {
    admin("CREATE DATABASE " + name);
  }

  public String name() {
    return name;
  }

  /** The URL in the form of {@code BROKER_PG_URL}. */
  public String url() {
    return "postgresql://postgres@" + HOST + ":" + PORT + "/" + name;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
  }

  /** Runs a statement in this database, on the calling (test) thread. */
  public void execute(String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", null); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a query returning one long. */
  public long queryLong(String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", null); Statement s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void admin(String sql) {
    String url = "jdbc:postgresql://" + HOST + ":" + PORT + "/postgres";
    try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL must be reachable at " + HOST + ":" + PORT + " for this test", e);
    }
  }

  @Override
  public void close() {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
