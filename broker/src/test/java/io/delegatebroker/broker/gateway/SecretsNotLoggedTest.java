package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.AdminClient.Response;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Verifies that no log line, at any level down to DEBUG, carries a token value, an admin key value or the root key,
 * and that no answer of either port carries a stack trace (contract section 4).
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class SecretsNotLoggedTest {

  private final LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger rootLogger = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final List<String> julCaptured = new CopyOnWriteArrayList<>();
  private final Handler julHandler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      StringBuilder text = new StringBuilder(new SimpleFormatter().formatMessage(record));
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        text.append('\n').append(trace);
      }
      julCaptured.add(text.toString());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private Level rootLevel;
  private Level brokerLevel;

  @BeforeEach
  void captureLogs() {
    captured.setContext(logging);
    captured.start();
    rootLogger.addAppender(captured);
    rootLevel = rootLogger.getLevel();
    rootLogger.setLevel(Level.DEBUG);
    Logger broker = logging.getLogger("io.delegatebroker");
    brokerLevel = broker.getLevel();
    broker.setLevel(Level.TRACE);
    LogManager.getLogManager().getLogger("").addHandler(julHandler);
  }

  @AfterEach
  void releaseLogs() {
    LogManager.getLogManager().getLogger("").removeHandler(julHandler);
    logging.getLogger("io.delegatebroker").setLevel(brokerLevel);
    rootLogger.setLevel(rootLevel);
    rootLogger.detachAppender(captured);
    captured.stop();
  }

  /** Verifies that a flow touching every secret leaves none of them in the logs and no stack trace in any answer. */
  @Test
  void secretsStayOutOfLogsAndStackTracesOutOfAnswers(Vertx vertx) {
    TestDatabase db = new TestDatabase();
    List<String> secrets = new ArrayList<>(List.of(TestNode.ROOT_KEY));
    List<String> bodies = new ArrayList<>();
    try {
      TestNode node = TestNode.postgres(db);
      try {
        runFlow(vertx, node, secrets, bodies);
      } finally {
        node.close();
      }
    } finally {
      db.close();
    }

    // THEN the capture worked (the flow's refusals are logged) ...
    List<String> lines = new ArrayList<>();
    synchronized (captured) {
      for (ILoggingEvent e : captured.list) {
        lines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
            : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())));
      }
    }
    lines.addAll(julCaptured);
    assertTrue(lines.stream().anyMatch(l -> l.contains("connect refused")), "refusals were logged and captured");
    assertTrue(lines.size() > 50, "DEBUG lines were captured too: " + lines.size());

    // ... and no line holds any secret
    for (String secret : secrets) {
      for (String line : lines) {
        assertFalse(line.contains(secret), "a secret in the log line: " + line);
      }
    }

    // THEN no answer carried a stack trace or an exception's name
    assertTrue(bodies.size() > 20);
    for (String body : bodies) {
      assertFalse(body.contains("at io.") || body.contains("Exception") || body.contains("\tat "), "stack trace in " + body);
    }
  }

  private static void runFlow(Vertx vertx, TestNode node, List<String> secrets, List<String> bodies) {
    AdminClient root = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    WebSocketClient ws = TestDelegate.client(vertx);

    // accounts, tokens, keys
    JsonObject a = record(bodies, root.post("/v1/accounts", new JsonObject().put("name", "Secret A"))).json();
    JsonObject b = record(bodies, root.post("/v1/accounts", new JsonObject().put("name", "Secret B"))).json();
    String acc = a.getString("id");
    String defaultA = a.getJsonObject("defaultToken").getString("value");
    String defaultB = b.getJsonObject("defaultToken").getString("value");
    String t1 = record(bodies, root.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "t1")
        .put("project", "p").put("expiresAt", "2099-01-01T00:00:00Z"))).json().getString("value");
    JsonObject key = record(bodies, root.post("/v1/accounts/" + acc + "/keys", null)).json();
    String keyValue = key.getString("value");
    AdminClient byKey = root.withKey(keyValue);
    String t2 = record(bodies, byKey.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "t2")))
        .json().getString("value");
    String unknownToken = "dt_NotARealTokenButSecretShaped0123456789abcdefgh";
    String unknownKey = "ak_NotARealKeyButSecretShaped0123456789abcdefghij";
    secrets.addAll(List.of(defaultA, defaultB, t1, t2, keyValue, unknownToken, unknownKey));
    record(bodies, byKey.get("/v1/accounts/" + acc + "/tokens"));
    record(bodies, byKey.get("/v1/accounts/" + b.getString("id") + "/tokens"));
    record(bodies, root.withKey(unknownKey).get("/v1/accounts"));
    record(bodies, root.withKey(defaultA).get("/v1/accounts"));

    // connects: valid, wrong account, unknown, malformed, bad header, unknown profile, pending then rejected
    TestDelegate ok = TestDelegate.connect(ws, node.delegatePort(), t1, acc, "d1", Map.of("X-Delegate-Instance", "i1"));
    ok.next("welcome");
    ok.send(new JsonObject().put("type", "heartbeat"));
    ok.next("heartbeat_ack");
    ok.send(new JsonObject().put("type", "message").put("id", "m1").put("payload", new JsonObject().put("k", "v")));
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), defaultB, acc, "d1"));
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), unknownToken, acc, "d1"));
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), unknownToken + "x".repeat(300), acc, "d1"));
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), t2, acc, "bad name"));
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), t2, acc, "d2").addHeader("X-Delegate-Profile", "none"));
    record(bodies, root.post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gated")
        .put("approvalRequired", true)));
    TestDelegate pending = TestDelegate.connect(ws, node.delegatePort(), t2, acc, "gatecrasher",
        Map.of("X-Delegate-Profile", "gated"));
    String pendingId = pending.next("welcome").getString("delegateId");
    record(bodies, byKey.post("/v1/accounts/" + acc + "/delegates/" + pendingId + "/reject", null));
    pending.awaitClose();
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), t2, acc, "gatecrasher"));

    // admin errors of every kind
    record(bodies, root.post("/v1/accounts/" + acc + "/tokens", "{\"name\": "));
    record(bodies, root.post("/v1/accounts/" + acc + "/tokens", "[]"));
    record(bodies, root.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "t1")));
    record(bodies, root.post("/v1/accounts/" + acc + "/tokens", new JsonObject().put("name", "x")
        .put("project", "p".repeat(70 * 1024))));
    record(bodies, root.get("/v1/accounts/" + acc + "/tokens/nope"));
    record(bodies, root.get("/v1/nowhere"));
    record(bodies, root.post("/v1/accounts/" + acc + "/delegates/" + pendingId + "/messages",
        new JsonObject().put("payload", new JsonObject())));

    // revoke with a live session, reconnect refused; key deleted, then refused
    record(bodies, root.post("/v1/accounts/" + acc + "/tokens/t1/revoke", null));
    assertEquals(4001, ok.awaitClose().code());
    refusal(bodies, ws, TestDelegate.options(node.delegatePort(), t1, acc, "d1"));
    record(bodies, root.delete("/v1/accounts/" + acc + "/keys/" + key.getString("id")));
    record(bodies, byKey.get("/v1/accounts/" + acc + "/tokens"));
    record(bodies, root.get("/v1/accounts/" + acc + "/audit"));
    record(bodies, root.get("/v1/accounts/" + acc + "/tokens"));
  }

  private static Response record(List<String> bodies, Response r) {
    bodies.add(r.body());
    return r;
  }

  private static void refusal(List<String> bodies, WebSocketClient ws, io.vertx.core.http.WebSocketConnectOptions o) {
    bodies.add(TestDelegate.refused(ws, o).body().encode());
  }
}
