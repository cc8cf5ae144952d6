package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.AdminClient;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.delegatebroker.broker.testkit.TestDelegate.Refusal;
import io.delegatebroker.broker.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies that what a PostgreSQL-backed node knows survives its restart: revoked tokens stay refused, active tokens
 * keep working, delegates keep their id and state, keys and profiles remain, and lastUsedAt is not lost.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class RestartPersistenceTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.postgres();

  /** Verifies that tokens, delegates, keys and profiles are as they were after the node restarts. */
  @Test
  void stateSurvivesARestart(Vertx vertx) {
    // GIVEN an account with an active and a revoked token, an account key and a profile requiring approval
    AdminClient admin = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    WebSocketClient ws = TestDelegate.client(vertx);
    String acc = admin.createAccount("Durable").getString("id");
    String tokens = "/v1/accounts/" + acc + "/tokens";
    JsonObject keep = admin.post(tokens, new JsonObject().put("name", "keep").put("project", "p")
        .put("expiresAt", "2099-01-01T00:00:00Z")).json();
    String keepValue = keep.getString("value");
    String goneValue = admin.createToken(acc, "gone");
    JsonObject goneRevoked = admin.revoke(acc, "gone");
    String keyValue = admin.post("/v1/accounts/" + acc + "/keys", null).json().getString("value");
    assertEquals(201, admin.post("/v1/accounts/" + acc + "/profiles", new JsonObject().put("name", "gpu")
        .put("approvalRequired", true).put("startupScript", "echo hi")).status());

    // GIVEN a connected delegate (which registers it), one pending approval and one rejected
    TestDelegate builder = TestDelegate.connect(ws, node.delegatePort(), keepValue, acc, "builder",
        Map.of("X-Delegate-Instance", "host-1", "X-Delegate-Type", "DOCKER"));
    String builderId = builder.next("welcome").getString("delegateId");
    TestDelegate waiter = TestDelegate.connect(ws, node.delegatePort(), keepValue, acc, "waiter",
        Map.of("X-Delegate-Profile", "gpu"));
    JsonObject waiterWelcome = waiter.next("welcome");
    assertEquals("PENDING_APPROVAL", waiterWelcome.getString("status"));
    TestDelegate intruder = TestDelegate.connect(ws, node.delegatePort(), keepValue, acc, "intruder",
        Map.of("X-Delegate-Profile", "gpu"));
    String intruderId = intruder.next("welcome").getString("delegateId");
    assertEquals(200, admin.post("/v1/accounts/" + acc + "/delegates/" + intruderId + "/reject", null).status());
    assertEquals(4003, intruder.awaitClose().code());
    JsonObject keepBefore = admin.get(tokens + "/keep").json();
    JsonObject goneBefore = admin.get(tokens + "/gone").json();

    // WHEN the node restarts
    node.restart();

    // THEN the sessions it held were closed with 1001 going_away
    TestDelegate.Close close = builder.awaitClose();
    assertEquals(1001, close.code());
    assertEquals("going_away", close.reason());
    assertEquals(1001, waiter.awaitClose().code());

    // THEN the revoked token is still refused and the active one still connects the same delegate
    AdminClient after = new AdminClient(vertx, node.adminPort(), TestNode.ROOT_KEY);
    Refusal refused = TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), goneValue, acc, "builder"));
    assertEquals(401, refused.status());
    assertEquals("invalid_token", refused.code());
    TestDelegate again = TestDelegate.connect(ws, node.delegatePort(), keepValue, acc, "builder",
        Map.of("X-Delegate-Instance", "host-1", "X-Delegate-Type", "DOCKER"));
    assertEquals(builderId, again.next("welcome").getString("delegateId"));

    // THEN the pending delegate is still pending under the same id, and the rejected one still refused
    TestDelegate waiterAgain = TestDelegate.connect(ws, node.delegatePort(), keepValue, acc, "waiter",
        Map.of("X-Delegate-Profile", "gpu"));
    JsonObject waiterAgainWelcome = waiterAgain.next("welcome");
    assertEquals(waiterWelcome.getString("delegateId"), waiterAgainWelcome.getString("delegateId"));
    assertEquals("PENDING_APPROVAL", waiterAgainWelcome.getString("status"));
    assertEquals("echo hi", waiterAgainWelcome.getString("startupScript"));
    Refusal rejected = TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), keepValue, acc, "intruder"));
    assertEquals(403, rejected.status());
    assertEquals("delegate_rejected", rejected.code());

    // THEN the delegate is listed with its id, name, type, token and live instance
    JsonObject listed = after.get("/v1/accounts/" + acc + "/delegates/" + builderId).json();
    assertEquals("builder", listed.getString("name"));
    assertEquals("DOCKER", listed.getString("type"));
    assertEquals("keep", listed.getString("tokenName"));
    assertEquals("ACTIVE", listed.getString("status"));
    assertTrue(listed.getBoolean("connected"));
    assertEquals("host-1", listed.getJsonArray("instances").getJsonObject(0).getString("instance"));
    assertEquals(2, after.get("/v1/accounts/" + acc + "/delegates").items().size(), "builder and waiter, not intruder");

    // THEN the tokens kept their status, times and project; the last use before the restart was not lost
    JsonObject keepAfter = after.get(tokens + "/keep").json();
    JsonObject goneAfter = after.get(tokens + "/gone").json();
    assertEquals("ACTIVE", keepAfter.getString("status"));
    assertEquals("REVOKED", goneAfter.getString("status"));
    assertEquals(goneRevoked.getString("revokedAt"), goneAfter.getString("revokedAt"));
    for (String field : new String[] {"name", "project", "createdAt", "expiresAt"}) {
      assertEquals(keepBefore.getValue(field), keepAfter.getValue(field), field);
      assertEquals(goneBefore.getValue(field), goneAfter.getValue(field), field);
    }
    assertNotNull(keepAfter.getString("lastUsedAt"), "lastUsedAt flushed before the restart");
    assertEquals(2, keepAfter.getInteger("connectedInstances"));

    // THEN the account key and the profile remain, and so does the audit trail
    assertEquals(200, after.withKey(keyValue).get(tokens).status());
    assertEquals(true, after.get("/v1/accounts/" + acc + "/profiles/gpu").json().getBoolean("approvalRequired"));
    assertTrue(after.get("/v1/accounts/" + acc + "/audit").items().stream()
        .anyMatch(e -> "token.revoke".equals(((JsonObject) e).getString("action"))));
    again.close();
    waiterAgain.close();
  }
}
