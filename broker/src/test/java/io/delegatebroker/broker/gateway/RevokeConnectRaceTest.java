package io.delegatebroker.broker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delegatebroker.broker.testkit.Await;
import io.delegatebroker.broker.testkit.BrokerNodeExtension;
import io.delegatebroker.broker.testkit.TestDelegate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verifies that a revoke racing hundreds of concurrent connects with the same token leaves no session of that token
 * open: every connect is either refused 401 or closed with 4001, on a PostgreSQL-backed node.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class RevokeConnectRaceTest {

  private static final int CONNECTS = 300;

  // Hundreds of 401s from 127.0.0.1 are the point here, not the failed-handshake limit.
  @RegisterExtension
  static final BrokerNodeExtension node = BrokerNodeExtension.postgres().with("BROKER_HANDSHAKE_FAILURE_LIMIT",
      "100000");

  /** One connect attempt and how it settled. */
  record Attempt(String instance, Future<TestDelegate> outcome) {
  }

  /** Verifies that no session of a revoked token survives a revoke issued in the middle of a connect storm. */
  @Test
  void noSessionOutlivesARevokeRacingConnects(Vertx vertx) throws Exception {
    // GIVEN an account with a token, and a client that may hold hundreds of WebSockets at once
    JsonObject account = node.admin().createAccount("Race");
    String acc = account.getString("id");
    String token = node.admin().createToken(acc, "racer");
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(CONNECTS * 2)
        .setConnectTimeout(30_000).setMaxFrameSize(256 * 1024).setMaxMessageSize(256 * 1024));
    CountDownLatch firstSettled = new CountDownLatch(CONNECTS / 10);
    List<Attempt> attempts = new ArrayList<>();

    // WHEN half the connects are launched, and once some of them settled a revoke is issued while the rest launch
    for (int i = 0; i < CONNECTS / 2; i++) {
      attempts.add(launch(ws, token, acc, "i-" + i, firstSettled));
    }
    assertTrue(firstSettled.await(60, TimeUnit.SECONDS), "first connects settled");
    CompletableFuture<JsonObject> revoke = CompletableFuture.supplyAsync(() -> node.admin().revoke(acc, "racer"));
    for (int i = CONNECTS / 2; i < CONNECTS; i++) {
      attempts.add(launch(ws, token, acc, "i-" + i, null));
    }
    JsonObject revoked = revoke.get(60, TimeUnit.SECONDS);
    // join fails as soon as all settled and one failed; failures are inspected one by one below
    Await.result(Future.join(attempts.stream().map(Attempt::outcome).toList()).otherwiseEmpty(), 90);

    // THEN every attempt was either refused 401 invalid_token or accepted; nothing else went wrong
    List<TestDelegate> accepted = new ArrayList<>();
    int refused = 0;
    for (Attempt a : attempts) {
      if (a.outcome().succeeded()) {
        accepted.add(a.outcome().result());
      } else if (a.outcome().cause() instanceof TestDelegate.RefusedException r && r.refusal.status() == 401
          && "invalid_token".equals(r.refusal.code())) {
        refused++;
      } else {
        throw new AssertionError(a.instance() + " failed unexpectedly", a.outcome().cause());
      }
    }
    assertEquals(CONNECTS, accepted.size() + refused);
    assertTrue(accepted.size() > 0, "some connects were accepted before the revoke");

    // THEN every accepted session has been (or is being) closed with 4001 token_revoked
    for (TestDelegate d : accepted) {
      TestDelegate.Close close = d.awaitClose();
      assertEquals(4001, close.code(), "close code");
      assertEquals("token_revoked", close.reason());
    }

    // THEN the revoke counted at most the sessions that existed, and nothing of the token is left anywhere
    assertEquals("REVOKED", revoked.getString("status"));
    assertTrue(revoked.getBoolean("complete"));
    int evicted = revoked.getInteger("evicted");
    assertTrue(evicted >= 0 && evicted <= accepted.size(), "evicted " + evicted + " of " + accepted.size() + " accepted");
    assertEquals(0, node.admin().get("/v1/accounts/" + acc + "/tokens/racer/connections").items().size());
    assertEquals(0, node.admin().get("/v1/accounts/" + acc + "/tokens/racer").json().getInteger("connectedInstances"));
    assertEquals(0, node.admin().get("/v1/cluster").json().getJsonArray("nodes").getJsonObject(0).getInteger("sessions"));

    // THEN later connects with the token are refused
    TestDelegate.Refusal late = TestDelegate.refused(ws, TestDelegate.options(node.delegatePort(), token, acc, "racer"));
    assertEquals(401, late.status());
  }

  private static Attempt launch(WebSocketClient ws, String token, String acc, String instance, CountDownLatch settled) {
    var options = TestDelegate.options(node.delegatePort(), token, acc, "racer").addHeader("X-Delegate-Instance", instance);
    Future<TestDelegate> f = TestDelegate.connectAsync(ws, options);
    if (settled != null) {
      f.onComplete(ar -> settled.countDown());
    }
    return new Attempt(instance, f);
  }
}
