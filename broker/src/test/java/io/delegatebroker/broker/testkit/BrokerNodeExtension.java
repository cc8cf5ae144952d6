package io.delegatebroker.broker.testkit;

import io.delegatebroker.broker.app.BrokerNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One broker node for a test class, started before its first test and stopped after its last: the set-up the
 * end-to-end tests used to copy. Register it as a static field, say what the node needs, and use what it gives:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BrokerNodeExtension node = BrokerNodeExtension.memory().with("BROKER_HEARTBEAT_SECONDS", "1")
 *     .account("Control frames");
 * ... node.delegatePort(), node.admin(), node.ws(), node.accountId(), node.token()
 * }</pre>
 *
 * <p>It has a Vert.x of its own for its clients (closed last), a root-key {@link AdminClient}, a WebSocket client for
 * delegates, and, when asked, one account made through the admin API with its default token. A PostgreSQL-backed node
 * runs on a throwaway {@link TestDatabase}, dropped after the node stopped.
 */
public final class BrokerNodeExtension implements BeforeAllCallback, AfterAllCallback {

  /** An account made through the admin API: its id and its default token's value. */
  public record Account(String id, String token) {

    /** The admin API path below this account: {@code /v1/accounts/{id}} followed by {@code rest}. */
    public String path(String rest) {
      return "/v1/accounts/" + id + rest;
    }
  }

  private final boolean postgres;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private UnaryOperator<HttpClientOptions> adminOptions = UnaryOperator.identity();
  private String accountName;

  private Vertx vertx;
  private TestDatabase db;
  private TestNode node;
  private AdminClient admin;
  private WebSocketClient ws;
  private Account account;

  private BrokerNodeExtension(boolean postgres) {
    this.postgres = postgres;
  }

  /** A node on the dev in-memory store. */
  public static BrokerNodeExtension memory() {
    return new BrokerNodeExtension(false);
  }

  /** A node on a throwaway database of the machine's PostgreSQL server. */
  public static BrokerNodeExtension postgres() {
    return new BrokerNodeExtension(true);
  }

  /** Sets one of the node's environment variables (on top of {@link TestNode#env}). */
  public BrokerNodeExtension with(String variable, String value) {
    settings.put(variable, value);
    return this;
  }

  /** Makes an account of this name once the node is up; see {@link #account()}. */
  public BrokerNodeExtension account(String name) {
    this.accountName = name;
    return this;
  }

  /** Adjusts the admin client's HTTP options (host and port are set already). */
  public BrokerNodeExtension adminOptions(UnaryOperator<HttpClientOptions> adjust) {
    this.adminOptions = adjust;
    return this;
  }

  /** Starts the node; when anything fails here JUnit still calls {@link #afterAll}, which stops what was started. */
  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    db = postgres ? new TestDatabase() : null;
    Map<String, String> env = TestNode.env(db == null ? null : db.url());
    env.putAll(settings);
    node = TestNode.start(env);
    admin = new AdminClient(vertx, adminOptions.apply(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.adminPort())), TestNode.ROOT_KEY);
    ws = TestDelegate.client(vertx);
    if (accountName != null) {
      account = newAccount(accountName);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      try {
        if (db != null) {
          db.close();
        }
      } finally {
        if (vertx != null) {
          Await.result(vertx.close());
        }
      }
    }
  }

  /** Makes another account through the admin API. */
  public Account newAccount(String name) {
    JsonObject a = admin.createAccount(name);
    return new Account(a.getString("id"), a.getJsonObject("defaultToken").getString("value"));
  }

  /** Restarts the node on the same ports and store; its sessions are closed with 1001 first. */
  public void restart() {
    node = node.restart();
  }

  public TestNode testNode() {
    return node;
  }

  /** The node itself, for its sessions, metrics and Vert.x. */
  public BrokerNode node() {
    return node.node();
  }

  public String nodeId() {
    return node.nodeId();
  }

  public int delegatePort() {
    return node.delegatePort();
  }

  public int adminPort() {
    return node.adminPort();
  }

  /** The client side's Vert.x (not the node's). */
  public Vertx vertx() {
    return vertx;
  }

  /** An admin client with the root key. */
  public AdminClient admin() {
    return admin;
  }

  /** A WebSocket client for delegates. */
  public WebSocketClient ws() {
    return ws;
  }

  /** The database of a PostgreSQL-backed node. */
  public TestDatabase db() {
    if (db == null) {
      throw new IllegalStateException("an in-memory node has no database");
    }
    return db;
  }

  /** The account made at start ({@link #account(String)}). */
  public Account account() {
    if (account == null) {
      throw new IllegalStateException("no account was asked for");
    }
    return account;
  }

  /** The id of the account made at start. */
  public String accountId() {
    return account().id();
  }

  /** The default token's value of the account made at start. */
  public String token() {
    return account().token();
  }
}
