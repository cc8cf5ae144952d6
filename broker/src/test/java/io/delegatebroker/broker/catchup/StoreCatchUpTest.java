package io.delegatebroker.broker.catchup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.TestDatabase;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Verifies that a node applies changes it was never told about (as when it was paused or partitioned while another
 * node handled the admin call): the changes are written straight into the store, bypassing every command, and the node
 * must find them by itself — revocations within about a second, delegate changes within about five.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class StoreCatchUpTest {

  static TestDatabase db;
  static TestNode node;
  static AdminClient admin;
  static WebSocketClient ws;

  @BeforeAll
  static void start(Vertx vertx) {
    db = new TestDatabase();
    node = TestNode.postgres(db);
    admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    ws = TestDelegate.client(vertx);
  }

  @AfterAll
  static void stop() {
    node.close();
    db.close();
  }

  private TestDelegate connect(String token, String acc, String name, Map<String, String> headers) {
    TestDelegate d = TestDelegate.connect(ws, node.delegatePort(), token, acc, name, headers);
    d.next("welcome");
    return d;
  }

  @Test
  void revocationWrittenBehindTheNodesBackClosesItsSessionsWithin2Seconds() {
    JsonObject account = admin.createAccount("Missed revoke");
    String acc = account.getString("id");
    String token = admin.createToken(acc, "missed");
    TestDelegate d = connect(token, acc, "d1", Map.of());

    long t0 = System.nanoTime();
    db.execute("UPDATE tokens SET status = 'REVOKED', revoked_at = now() WHERE account_id = '" + acc + "' AND name = 'missed'");

    assertEquals(4001, d.awaitClose().code());
    long millis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("store catch-up closed a missed revocation after " + millis + " ms");
    assertTrue(millis < 2500, "took " + millis + " ms");
    assertEquals(401, TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), token, acc, "d1")).status());
  }

  @Test
  void deletionAndApprovalWrittenBehindTheNodesBackReachTheSessions() {
    JsonObject account = admin.createAccount("Missed lifecycle");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");
    admin.post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gated").put("approvalRequired", true));
    TestDelegate deleted = connect(token, acc, "to-delete", Map.of());
    TestDelegate pending = connect(token, acc, "to-approve", Map.of("X-Delegate-Profile", "gated"));

    db.execute("DELETE FROM delegates WHERE account_id = '" + acc + "' AND name = 'to-delete'");
    db.execute("UPDATE delegates SET status = 'ACTIVE' WHERE account_id = '" + acc + "' AND name = 'to-approve'");

    assertEquals(4004, deleted.awaitClose().code());
    assertEquals("approved", pending.next().getString("type"));
  }
}
