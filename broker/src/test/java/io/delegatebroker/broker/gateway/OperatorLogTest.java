package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.Fleet;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.RawHttp;
import io.delegatebroker.broker.testkit.TestCluster;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Verifies the operator's log lines: one per refused handshake and one per session the broker closed on its own, each
 * naming account, delegate, instance, node and reason; one summary line per node for a bulk close (a revocation), with
 * the node's exact count and no line per session; and that no line ever carries a token or key value, not even one
 * sent in the wrong header.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class OperatorLogTest {

  @Test
  void refusalsAndEvictionsAreLoggedWithEveryFieldAndNoSecret(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.memory(); LogCapture log = LogCapture.open()) {
      // GIVEN an account, its token, an account admin key and a delegate client
      AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
      JsonObject a = admin.createAccount("Acme");
      String acc = a.getString("id");
      String token = a.getJsonObject("defaultToken").getString("value");
      String key = admin.post("/v1/accounts/" + acc + "/keys", null).json().getString("value");
      String second = admin.createToken(acc, "second");
      WebSocketClient ws = TestDelegate.client(vertx);

      // WHEN handshakes are refused: unknown token, missing name, a token sent as the account id, a huge header
      TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), "dt_" + "u".repeat(43), acc, "k8s-east")
          .addHeader("X-Delegate-Instance", "pod-7"));
      TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), token, acc, null));
      TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), token, second, "k8s-east"));
      RawHttp.send("127.0.0.1", node.delegatePort(), RawHttp.upgradeRequest(token, acc, "huge")
          .header("X-Padding", "p".repeat(20 * 1024)).build());
      // AND a session is closed for a protocol violation, and another one is revoked
      TestDelegate bad = TestDelegate.connect(ws, node.delegatePort(), token, acc, "k8s-north",
          Map.of("X-Delegate-Instance", "pod-3"));
      bad.next("welcome");
      bad.send("not json");
      assertEquals(1008, bad.awaitClose().code());
      TestDelegate d = TestDelegate.connect(ws, node.delegatePort(), second, acc, "k8s-west",
          Map.of("X-Delegate-Instance", "pod-9"));
      d.next("welcome");
      admin.revoke(acc, "second");
      assertEquals(4001, d.awaitClose().code());
      Await.until("the evictions are logged", 10, () -> !log.containing("session closed:").isEmpty()
          && !log.containing("sessions closed:").isEmpty());

      // THEN there is one refusal line per refusal with every field
      List<String> refusals = log.containing("connect refused:");
      assertEquals(4, refusals.size(), String.join("\n", refusals));
      for (String line : refusals) {
        for (String field : new String[] {"account=", "delegate=", "instance=", "node=" + node.nodeId(), "reason=",
            "from=127.0.0.1", "status="}) {
          assertTrue(line.contains(field), field + " missing in: " + line);
        }
      }
      assertTrue(refusals.get(0).contains("account=" + acc + " delegate=k8s-east instance=pod-7"), refusals.get(0));
      assertTrue(refusals.get(0).contains("reason=unknown"), refusals.get(0));
      assertTrue(refusals.get(1).contains("delegate=? instance=?") && refusals.get(1).contains("reason=bad_request"),
          refusals.get(1));
      assertTrue(refusals.get(2).contains("account=<secret-redacted> delegate=k8s-east"), refusals.get(2));
      assertTrue(refusals.get(3).contains("status=431"), refusals.get(3));

      // AND one line with every field for the session closed on its own
      List<String> evictions = log.containing("session closed:");
      assertEquals(1, evictions.size(), String.join("\n", evictions));
      assertTrue(evictions.get(0).contains("account=" + acc + " delegate=k8s-north instance=pod-3 node=" + node.nodeId()
          + " reason=policy code=1008"), evictions.get(0));
      // AND one summary line for the revocation, naming the token
      List<String> summaries = log.containing("sessions closed:");
      assertEquals(1, summaries.size(), String.join("\n", summaries));
      assertTrue(summaries.get(0).contains("account=" + acc + " token=second node=" + node.nodeId()
          + " reason=revoked code=4001 count=1 ms="), summaries.get(0));

      // AND no line anywhere carries a secret
      for (String line : log.lines()) {
        for (String secret : new String[] {token, second, key, TestNode.ROOT_KEY}) {
          assertFalse(line.contains(secret), "a secret was logged: " + line);
        }
      }
    }
  }

  @Test
  void aBulkRevokeWritesOneSummaryLinePerNodeWithItsExactCountAndNoLinePerSession(Vertx vertx) throws Exception {
    int perNode = 40;
    try (TestDatabase db = new TestDatabase(); TestCluster cluster = TestCluster.start(3, db.url())) {
      // GIVEN 120 sessions of one token, 40 on each of three nodes
      AdminClient admin = new AdminClient(vertx, cluster.node(0).adminPort(), TestNode.ROOT_KEY);
      String acc = admin.createAccount("Bulk").getString("id");
      String token = admin.createToken(acc, "fleet-token");
      List<Integer> ports = cluster.nodes().stream().map(TestNode::delegatePort).toList();
      List<TestDelegate> sessions = Fleet.connect(Fleet.client(vertx), ports, token, acc, "fleet", "f", 3 * perNode);

      try (LogCapture log = LogCapture.open()) {
        // WHEN the token is revoked
        assertEquals(3 * perNode, admin.revoke(acc, "fleet-token").getInteger("evicted"));
        for (TestDelegate d : sessions) {
          assertEquals(4001, d.awaitClose().code());
        }
        Await.until("every node summarised its share", 10, () -> log.containing("sessions closed:").size() >= 3);

        // THEN each node wrote one summary line with its exact count, and no line per session
        List<String> summaries = log.containing("sessions closed:");
        assertEquals(3, summaries.size(), String.join("\n", summaries));
        for (TestNode n : cluster.nodes()) {
          List<String> mine = summaries.stream().filter(l -> l.contains(" node=" + n.nodeId() + " ")).toList();
          assertEquals(1, mine.size(), String.join("\n", summaries));
          assertTrue(mine.get(0).contains("account=" + acc + " token=fleet-token node=" + n.nodeId()
              + " reason=revoked code=4001 count=" + perNode + " ms="), mine.get(0));
        }
        assertEquals(List.of(), log.containing("session closed:"));
        for (String line : log.lines()) {
          assertFalse(line.contains(token), "a secret was logged: " + line);
        }
      }
    }
  }
}
