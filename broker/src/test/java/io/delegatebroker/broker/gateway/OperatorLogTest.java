package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.LogCapture;
import io.delegatebroker.broker.testkit.RawHttp;
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
 * Verifies the operator's log lines: one per refused handshake and one per session the broker closed, each naming
 * account, delegate, instance, node and reason; and that no line ever carries a token or key value, not even one sent
 * in the wrong header.
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
      // AND a session is revoked
      TestDelegate d = TestDelegate.connect(ws, node.delegatePort(), second, acc, "k8s-west",
          Map.of("X-Delegate-Instance", "pod-9"));
      d.next("welcome");
      admin.revoke(acc, "second");
      assertEquals(4001, d.awaitClose().code());
      Await.until("the eviction is logged", 10, () -> !log.containing("session closed:").isEmpty());

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

      // AND one eviction line with every field
      List<String> evictions = log.containing("session closed:");
      assertEquals(1, evictions.size());
      assertTrue(evictions.get(0).contains("account=" + acc + " delegate=k8s-west instance=pod-9 node=" + node.nodeId()
          + " reason=revoked code=4001"), evictions.get(0));

      // AND no line anywhere carries a secret
      for (String line : log.lines()) {
        for (String secret : new String[] {token, second, key, TestNode.ROOT_KEY}) {
          assertFalse(line.contains(secret), "a secret was logged: " + line);
        }
      }
    }
  }
}
