package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Verifies the happy path of a delegate's connection: welcome, heartbeat, listing, revocation closes it with 4001. */
@Timeout(60)
class ConnectFlowTest {

  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.memory();

  @Test
  void connectedDelegateIsWelcomedListedAndEvictedOnRevoke() {
    // GIVEN an account and its default token
    JsonObject account = node.admin().createAccount("Acme");
    String acc = account.getString("id");
    String token = account.getJsonObject("defaultToken").getString("value");

    // WHEN a delegate connects
    TestDelegate d = TestDelegate.connect(node.ws(), node.delegatePort(), token, acc, "k8s-east",
        Map.of("X-Delegate-Instance", "pod-1"));

    // THEN it is welcomed, acknowledged, and listed on the token
    JsonObject welcome = d.next("welcome");
    assertEquals("ACTIVE", welcome.getString("status"));
    assertEquals("pod-1", welcome.getString("instance"));
    assertEquals(node.nodeId(), welcome.getString("node"));
    d.send(new JsonObject().put("type", "heartbeat"));
    assertEquals("heartbeat_ack", d.next().getString("type"));
    var connections = node.admin().get("/v1/accounts/" + acc + "/tokens/default/connections").items();
    assertEquals(1, connections.size());
    assertEquals(welcome.getString("delegateId"), connections.getJsonObject(0).getString("delegateId"));

    // WHEN the token is revoked THEN the session closes with 4001 and the answer counts it
    JsonObject revoked = node.admin().revoke(acc, "default");
    assertEquals(1, revoked.getInteger("evicted"));
    assertTrue(revoked.getBoolean("complete"));
    TestDelegate.Close close = d.awaitClose();
    assertEquals(4001, close.code());
    assertEquals("token_revoked", close.reason());
  }
}
