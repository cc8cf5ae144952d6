package io.delegatebroker.delegate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.TestCluster;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies the rules that keep a delegate connected, with {@code delegate.jar} as a separate process: Retry-After on
 * 503 and 429 is honoured, a lost connection (1006), a normal close (1000) and an unreachable manager reconnect with
 * jittered exponential backoff, and a draining node (1001) is left for a prompt reconnect to another node.
 */
@Timeout(150)
class ReconnectRulesIT {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static JsonObject account(AdminClient admin) {
    return admin.createAccount("reconnect");
  }

  static String token(JsonObject account) {
    return account.getJsonObject("defaultToken").getString("value");
  }

  /**
   * GIVEN a delegate behind a front that answers its first attempt 503 with Retry-After 2, then forwards to a node;
   * THEN it waits the 2 s, connects, reconnects after the connection is dropped (1006), after a clean 1000, and while
   * the front does not listen it backs off, growing towards the cap, until it can connect again.
   */
  @Test
  void retryAfterThenBackoffOnLossNormalCloseAndUnreachableManager() {
    try (TestNode node = TestNode.memory(); TcpFront front = new TcpFront(vertx, node.delegatePort())) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      JsonObject acc = account(admin);
      String body = "{\"error\":{\"code\":\"unavailable\",\"message\":\"The node is draining.\"}}";
      front.answerNextWith("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
      Map<String, String> env = DelegateProcess.env(acc.getString("id"), token(acc),
          "ws://127.0.0.1:" + front.port(), "behind-front", "i-1");
      try (DelegateProcess d = DelegateProcess.start(env, List.of(token(acc)))) {
        // Retry-After honoured
        d.awaitConnected(1, 60);
        d.awaitLine("manager unavailable (HTTP 503): reconnecting after Retry-After 2 s", 5);
        List<Long> at = front.connections();
        long waited = TimeUnit.NANOSECONDS.toMillis(at.get(1) - at.get(0));
        assertTrue(waited >= 2000, "second attempt " + waited + " ms after the 503, Retry-After said 2 s");

        // network loss: 1006
        front.cut();
        d.awaitLine("connection lost: reconnecting with backoff [close 1006]", 20);
        d.awaitConnected(2, 30);

        // a normal close: 1000
        front.closeNormally();
        d.awaitLine("the manager closed the connection: reconnecting with backoff [close 1000]", 20);
        d.awaitConnected(3, 30);

        // the manager unreachable: attempts back off up to the cap (DELEGATE_RECONNECT_MAX_SECONDS=2)
        front.stopListening();
        d.awaitLines("cannot reach the manager at ws://127.0.0.1:" + front.port(), 4, 40);
        front.listen();
        d.awaitConnected(4, 30);
        List<Long> delays = d.retryDelays();
        // the first delay is the Retry-After one (2 s plus up to 10 %)
        assertTrue(delays.get(0) >= 2000 && delays.get(0) <= 2200, "Retry-After: " + delays);
        assertTrue(delays.stream().skip(1).allMatch(ms -> ms <= 2000), "capped at 2 s: " + delays);
        assertTrue(delays.stream().skip(1).allMatch(ms -> ms >= 100), "never a tight loop: " + delays);
        assertTrue(delays.stream().mapToLong(Long::longValue).max().orElse(0) >= 1000,
            "grew from the 200 ms base towards the cap: " + delays);
      }
    }
  }

  /** Verifies a real node's 429 (too many failed handshakes from this address) is met with its own Retry-After. */
  @Test
  void rateLimitedHandshakeWaitsTheNodesRetryAfter() {
    Map<String, String> nodeEnv = TestNode.env(null);
    nodeEnv.put("BROKER_HANDSHAKE_FAILURE_LIMIT", "1");
    try (TestNode node = TestNode.start(nodeEnv)) {
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      JsonObject acc = account(admin);
      WebSocketClient client = TestDelegate.client(vertx);
      // GIVEN this address used up its failed handshakes
      TestDelegate.refused(client, TestDelegate.options(node.delegatePort(), "dt_bogus", acc.getString("id"), "x"));
      TestDelegate.Refusal limited = TestDelegate.refused(client,
          TestDelegate.options(node.delegatePort(), "dt_bogus", acc.getString("id"), "x"));
      assertEquals(429, limited.status());
      int retryAfter = Integer.parseInt(limited.retryAfter());
      // WHEN a delegate with a valid token connects from it
      Map<String, String> env = DelegateProcess.env(acc.getString("id"), token(acc),
          "ws://127.0.0.1:" + node.delegatePort(), "limited", "i-1");
      try (DelegateProcess d = DelegateProcess.start(env, List.of(token(acc)))) {
        // THEN it waits what the node said, not its own backoff
        d.awaitLine("rate limited (HTTP 429): reconnecting after Retry-After", 60);
        Matcher m = Pattern.compile("Retry-After (\\d+) s").matcher(d.lines("rate limited (HTTP 429)").get(0));
        assertTrue(m.find());
        int waits = Integer.parseInt(m.group(1));
        assertTrue(waits <= retryAfter && waits >= retryAfter - 30, "waits " + waits + " s, node said " + retryAfter);
        assertEquals(1, d.count("rate limited (HTTP 429)"), "one attempt while limited:\n" + d.output());
        d.terminate();
        assertEquals(0, d.awaitExit(30), d.output());
      }
    }
  }

  /**
   * Verifies a draining node's 1001 makes the delegate reconnect promptly (within one base step) and another node
   * takes it: two clustered nodes on one PostgreSQL store behind a front that, like a load balancer, sends new
   * connections to the second node once the first drains.
   */
  @Test
  void drainingNodeIsLeftForAPromptReconnectToAnotherNode() {
    try (TestDatabase db = new TestDatabase()) {
      TestCluster cluster = TestCluster.start(2, db.url());
      TestNode first = cluster.node(0);
      TestNode second = cluster.node(1);
      try (TcpFront front = new TcpFront(vertx, first.delegatePort())) {
        AdminClient admin = new AdminClient(vertx, second.adminPort(), TestNode.ROOT_KEY);
        JsonObject acc = account(admin);
        Map<String, String> env = DelegateProcess.env(acc.getString("id"), token(acc),
            "ws://127.0.0.1:" + front.port(), "drained", "i-1");
        try (DelegateProcess d = DelegateProcess.start(env, List.of(token(acc)))) {
          d.awaitLine("connected to node " + first.nodeId(), 60);
          // WHEN the first node drains (SIGTERM's path: sessions closed with 1001) and leaves the balancer
          front.retarget(second.delegatePort());
          first.close();
          // THEN the delegate reconnects at once, and the other node takes it on the first attempt
          d.awaitLine("connected to node " + second.nodeId(), 30);
          String line = d.lines("the manager node is draining: reconnecting now, another node will take this delegate"
              + " [close 1001 going_away]").get(0);
          Matcher m = Pattern.compile("next attempt in (\\d+) ms").matcher(line);
          assertTrue(m.find() && Long.parseLong(m.group(1)) <= 200, "prompt, within the 200 ms base: " + line);
          assertEquals(1, d.retryDelays().size(), "one attempt was enough:\n" + d.output());
        }
      } finally {
        second.close();
      }
    }
  }
}
